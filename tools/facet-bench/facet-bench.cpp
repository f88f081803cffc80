//===- facet-bench.cpp - Prefill and decode speed of a .facet package -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The runtime-only benchmark, in the spirit of llama-bench so that the two
// can be read side by side:
//
//   facet-bench model.facet [-p 512] [-n 128] [-d 0,4096] [--threads N]
//               [-r 3] [--json] [--profile]
//
// For each depth d: "pp P" prefills P tokens after d tokens of context,
// "tg N" decodes N tokens one at a time after d tokens (the context is
// filled untimed before each repetition). Rows print as a markdown table
// (model, size, params, backend, threads, test, t/s mean ± sample standard
// deviation over the repetitions), followed by peak resident memory and the
// time open() took. --profile runs one decode step and one prefill chunk
// with every launch timed and prints each kernel's share of the time, plus
// the bytes a decode step reads according to the plan (--json gives each
// decode test's "decode_bytes"). The token ids are a
// fixed pseudo-random sequence (the speed of a step does not depend on
// them).
//
// Exit status: 0 success, 1 a runtime error, 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "facet/Runtime.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/resource.h>
#include <vector>

using namespace facet::runtime;

namespace {

const char *const kUsage =
    "usage: facet-bench MODEL.facet [options]\n"
    "\n"
    "Measures prefill (pp) and decode (tg) speed in tokens per second, as\n"
    "llama-bench does.\n"
    "\n"
    "options:\n"
    "  -p N          prompt tokens per prefill test (default 512; 0: none)\n"
    "  -n N          tokens per decode test (default 128; 0: none)\n"
    "  -d LIST       context depths, comma-separated (default 0)\n"
    "  -r N          repetitions of each test (default 3)\n"
    "  --threads N   kernel threads (default: all cores)\n"
    "  --json        one JSON object instead of the table\n"
    "  --profile     time each kernel of one decode step and one prefill\n"
    "                chunk, and the plan's bytes per decode step\n"
    "  -h, --help    this text\n";

struct UsageError {
  std::string message;
};

struct Arguments {
  std::string path;
  int64_t prompt = 512, generate = 128, repetitions = 3;
  std::vector<int64_t> depths{0};
  int threads = 0;
  bool json = false, profile = false;
};

int64_t parseCount(const std::string &text, const std::string &what,
                   int64_t minimum) {
  char *end = nullptr;
  errno = 0;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < minimum ||
      value > (int64_t(1) << 30))
    throw UsageError{what + " must be an integer >= " +
                     std::to_string(minimum) + ", got '" + text + "'"};
  return value;
}

Arguments parseArguments(int argc, char **argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc)
        throw UsageError{arg + " needs a value"};
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "-p") {
      args.prompt = parseCount(next(), "-p", 0);
    } else if (arg == "-n") {
      args.generate = parseCount(next(), "-n", 0);
    } else if (arg == "-r") {
      args.repetitions = parseCount(next(), "-r", 1);
    } else if (arg == "--threads" || arg == "-t") {
      args.threads = int(parseCount(next(), "--threads", 1));
    } else if (arg == "-d") {
      args.depths.clear();
      std::string list = next();
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos)
          comma = list.size();
        args.depths.push_back(
            parseCount(list.substr(start, comma - start), "-d", 0));
        start = comma + 1;
      }
    } else if (arg == "--json") {
      args.json = true;
    } else if (arg == "--profile") {
      args.profile = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError{"unknown option " + arg};
    } else if (args.path.empty()) {
      args.path = arg;
    } else {
      throw UsageError{"more than one package: " + args.path + ", " + arg};
    }
  }
  if (args.path.empty())
    throw UsageError{"give a package: facet-bench MODEL.facet"};
  if (args.prompt == 0 && args.generate == 0 && !args.profile)
    throw UsageError{"-p 0 and -n 0 leave nothing to measure"};
  return args;
}

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// A fixed pseudo-random id sequence in [0, vocab) (a 64-bit LCG).
std::vector<int32_t> tokens(size_t count, int64_t vocab) {
  std::vector<int32_t> ids(count);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (int32_t &id : ids) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    id = int32_t((state >> 33) % uint64_t(vocab));
  }
  return ids;
}

struct Result {
  std::string test;
  int64_t prompt = 0, generate = 0, depth = 0;
  std::vector<double> rates; // tokens per second, one per repetition
  double mean() const {
    double sum = 0;
    for (double r : rates)
      sum += r;
    return sum / double(rates.size());
  }
  double stddev() const {
    if (rates.size() < 2)
      return 0;
    double m = mean(), sum = 0;
    for (double r : rates)
      sum += (r - m) * (r - m);
    return std::sqrt(sum / double(rates.size() - 1));
  }
};

/// Fills `depth` positions of context (untimed), then times `work`.
template <typename Work>
double timed(Model &model, const std::vector<int32_t> &ids, int64_t depth,
             Work work) {
  model.reset();
  if (depth > 0)
    model.prefill(ids.data(), size_t(depth));
  Clock::time_point start = Clock::now();
  work();
  return secondsSince(start);
}

Result prefillTest(Model &model, const Arguments &args,
                   const std::vector<int32_t> &ids, int64_t depth) {
  Result result{"pp" + std::to_string(args.prompt), args.prompt, 0, depth,
                {}};
  for (int64_t r = 0; r < args.repetitions; ++r) {
    double seconds = timed(model, ids, depth, [&] {
      model.prefill(ids.data() + depth, size_t(args.prompt));
    });
    result.rates.push_back(double(args.prompt) / seconds);
  }
  return result;
}

Result decodeTest(Model &model, const Arguments &args,
                  const std::vector<int32_t> &ids, int64_t depth) {
  Result result{"tg" + std::to_string(args.generate), 0, args.generate, depth,
                {}};
  for (int64_t r = 0; r < args.repetitions; ++r) {
    double seconds = timed(model, ids, depth, [&] {
      for (int64_t i = 0; i < args.generate; ++i)
        model.decode(ids[size_t(depth + i)]);
    });
    result.rates.push_back(double(args.generate) / seconds);
  }
  return result;
}

std::string humanBytes(double bytes) {
  char text[32];
  if (bytes >= 1024.0 * 1024 * 1024)
    std::snprintf(text, sizeof text, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  else
    std::snprintf(text, sizeof text, "%.2f MiB", bytes / (1024.0 * 1024));
  return text;
}

std::string humanCount(double count) {
  char text[32];
  if (count >= 1e9)
    std::snprintf(text, sizeof text, "%.2f B", count / 1e9);
  else
    std::snprintf(text, sizeof text, "%.2f M", count / 1e6);
  return text;
}

std::string testName(const Result &result) {
  return result.depth > 0
             ? result.test + " @ d" + std::to_string(result.depth)
             : result.test;
}

uint64_t peakResidentBytes() {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return uint64_t(usage.ru_maxrss) * 1024; // Linux reports KiB
}

std::string jsonString(const std::string &text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    if (static_cast<unsigned char>(c) < 0x20)
      continue;
    out += c;
  }
  return out + "\"";
}

void printProfile(const char *what, const Profile &profile) {
  double total = profile.cacheWriteSeconds;
  for (const Profile::Kernel &kernel : profile.kernels)
    total += kernel.seconds;
  std::vector<Profile::Kernel> kernels = profile.kernels;
  std::sort(kernels.begin(), kernels.end(),
            [](const auto &a, const auto &b) { return a.seconds > b.seconds; });
  std::printf("\n%s: %.3f ms with every launch timed\n", what, total * 1e3);
  std::printf("| %-40s | %8s | %10s | %6s |\n", "kernel", "launches",
              "ms", "share");
  std::printf("|%s|%s|%s|%s|\n", std::string(42, '-').c_str(),
              std::string(10, '-').c_str(), std::string(12, '-').c_str(),
              std::string(8, '-').c_str());
  for (const Profile::Kernel &kernel : kernels)
    std::printf("| %-40s | %8llu | %10.3f | %5.1f%% |\n", kernel.name.c_str(),
                (unsigned long long)kernel.launches, kernel.seconds * 1e3,
                100.0 * kernel.seconds / total);
  if (profile.cacheWrites > 0)
    std::printf("| %-40s | %8llu | %10.3f | %5.1f%% |\n", "(kv-cache writes)",
                (unsigned long long)profile.cacheWrites,
                profile.cacheWriteSeconds * 1e3,
                100.0 * profile.cacheWriteSeconds / total);
}

int run(const Arguments &args) {
  Options options;
  options.threads = args.threads;
  Clock::time_point start = Clock::now();
  std::unique_ptr<Model> model = Model::open(args.path, options);
  double loadSeconds = secondsSince(start);
  const ModelInfo &info = model->info();

  int64_t deepest = 0;
  for (int64_t depth : args.depths)
    deepest = std::max(deepest, depth);
  // The profile decodes one token after the deepest context.
  int64_t tested = std::max<int64_t>({args.prompt, args.generate, 1});
  int64_t needed = deepest + tested;
  if (needed > info.maxContext)
    throw Error(Status::ContextOverflow,
                "depth " + std::to_string(deepest) + " plus " +
                    std::to_string(tested) +
                    " tokens do not fit the compiled context of " +
                    std::to_string(info.maxContext));
  std::vector<int32_t> ids = tokens(
      size_t(std::max(needed, std::min(info.prefillChunk, info.maxContext))),
      info.vocabSize);

  std::vector<Result> results;
  for (int64_t depth : args.depths) {
    if (args.prompt > 0)
      results.push_back(prefillTest(*model, args, ids, depth));
    if (args.generate > 0)
      results.push_back(decodeTest(*model, args, ids, depth));
  }
  uint64_t peak = peakResidentBytes();
  // A package compiled for a CUDA target runs on the GPU (Options::device).
  std::string backend = (info.target.rfind("cuda", 0) == 0 ? "CUDA (" : "CPU (") +
                        info.target + ")";

  if (args.json) {
    std::printf("{\n  \"model\": %s,\n  \"size_bytes\": %llu,\n"
                "  \"params\": %llu,\n  \"backend\": %s,\n  \"threads\": %d,\n"
                "  \"load_ms\": %.1f,\n  \"peak_rss_bytes\": %llu,\n"
                "  \"tests\": [",
                jsonString(info.name).c_str(),
                (unsigned long long)info.weightBytes,
                (unsigned long long)info.parameters,
                jsonString(backend).c_str(), info.threads, loadSeconds * 1e3,
                (unsigned long long)peak);
    for (size_t i = 0; i < results.size(); ++i) {
      const Result &r = results[i];
      std::printf("%s\n    {\"test\": %s, \"n_prompt\": %lld, \"n_gen\": %lld, "
                  "\"depth\": %lld, \"avg_ts\": %.3f, \"stddev_ts\": %.3f, "
                  "\"samples_ts\": [",
                  i ? "," : "", jsonString(r.test).c_str(),
                  (long long)r.prompt, (long long)r.generate,
                  (long long)r.depth, r.mean(), r.stddev());
      for (size_t j = 0; j < r.rates.size(); ++j)
        std::printf("%s%.3f", j ? ", " : "", r.rates[j]);
      std::printf("]");
      // What a decode test streams per token, for a roofline
      // (bench/compare-llamacpp divides a measured bandwidth by it): the
      // plan's bytes at the test's mean context, d + (n + 1) / 2.
      if (r.generate > 0)
        std::printf(", \"decode_bytes\": %llu",
                    (unsigned long long)model->decodeBytes(
                        r.depth + (r.generate + 1) / 2));
      std::printf("}");
    }
    std::printf("\n  ]\n}\n");
  } else {
    std::printf("| %-16s | %10s | %8s | %-24s | %7s | %14s | %20s |\n",
                "model", "size", "params", "backend", "threads", "test", "t/s");
    std::printf("| %s | %s: | %s: | %s | %s: | %s: | %s: |\n",
                std::string(16, '-').c_str(), std::string(9, '-').c_str(),
                std::string(7, '-').c_str(), std::string(24, '-').c_str(),
                std::string(6, '-').c_str(), std::string(13, '-').c_str(),
                std::string(19, '-').c_str());
    for (const Result &r : results) {
      char rate[64];
      std::snprintf(rate, sizeof rate, "%.2f ± %.2f", r.mean(), r.stddev());
      std::printf("| %-16s | %10s | %8s | %-24s | %7d | %14s | %20s |\n",
                  info.name.c_str(), humanBytes(double(info.weightBytes)).c_str(),
                  humanCount(double(info.parameters)).c_str(), backend.c_str(),
                  info.threads, testName(r).c_str(), rate);
    }
    std::printf("\npeak resident memory %s; load %.1f ms\n",
                humanBytes(double(peak)).c_str(), loadSeconds * 1e3);
  }

  if (args.profile) {
    // A second model with every launch timed, so that the speeds above
    // are not those of a serialised run.
    options.profile = true;
    std::unique_ptr<Model> profiled = Model::open(args.path, options);
    int64_t depth = deepest;
    if (depth > 0)
      profiled->prefill(ids.data(), size_t(depth));
    profiled->clearProfile();
    profiled->decode(ids[size_t(depth)]);
    printProfile("one decode step", profiled->profile());
    profiled->reset();
    size_t chunk = size_t(std::min(info.prefillChunk, info.maxContext));
    profiled->clearProfile();
    profiled->prefill(ids.data(), chunk);
    printProfile("one prefill chunk", profiled->profile());
    int64_t context = depth + 1;
    std::printf("\nbytes a decode step reads at depth %lld (plan): %s\n",
                (long long)depth,
                humanBytes(double(model->decodeBytes(context))).c_str());
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Arguments args;
  try {
    args = parseArguments(argc, argv);
  } catch (const UsageError &error) {
    std::fprintf(stderr, "facet-bench: error: %s\n(run facet-bench --help)\n",
                 error.message.c_str());
    return 2;
  }
  try {
    return run(args);
  } catch (const Error &error) {
    std::fflush(stdout);
    std::fprintf(stderr, "facet-bench: error: %s\n", error.what());
    return 1;
  }
}
