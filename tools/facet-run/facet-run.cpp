//===- facet-run.cpp - Run a compiled .facet package ----------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The runtime-only command line tool, what a device ships: it links the
// runtime (C API) and nothing of the compiler.
//
//   facet-run model.facet --prompt-ids 2,651,... -n 32
//       [--greedy | --temperature T --top-k K --top-p P --seed S]
//       [--threads N] [--device cpu|cuda] [--dump-logits FILE]
//       [--stop-at-eos]
//
// prints the generated token ids, comma-separated, on stdout and one line of
// speed figures on stderr. Exit status: 0 success, 1 a runtime error (bad
// package, target mismatch, prompt too long, token out of range, ...), 2 a
// usage error.
//
//===----------------------------------------------------------------------===//

#include "facet.h"

#include "ChatTemplate.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

namespace {

const char *const kUsage =
    "usage: facet-run MODEL.facet (--prompt-ids ID,ID,... | -p TEXT | --chat)\n"
    "                 [options]\n"
    "\n"
    "Runs a compiled Facet package: prefills the prompt, then generates\n"
    "tokens one at a time. With --prompt-ids it prints their ids,\n"
    "comma-separated; with -p or --chat (packages compiled with a\n"
    "tokenizer) it streams text.\n"
    "\n"
    "options:\n"
    "  --prompt-ids LIST    prompt token ids, comma-separated\n"
    "  -p, --prompt TEXT    a text prompt, as one user turn of Gemma 4's chat\n"
    "                       template (stops at the end of the model's turn)\n"
    "  --raw                with -p: the text as is after <bos>, no template\n"
    "  --chat               interactive chat on stdin; the KV cache is kept\n"
    "                       between turns. Ctrl-C stops an answer, Ctrl-D or\n"
    "                       Ctrl-C at the prompt ends the chat\n"
    "  --system TEXT        -p/--chat: a system turn\n"
    "  --think              -p/--chat: enable thinking (<|think|>)\n"
    "  -n N                 tokens to generate (default 32, with -p/--chat\n"
    "                       256 per answer; 0: prefill only)\n"
    "  --greedy             pick the most likely token (the default)\n"
    "  --temperature T      sample from softmax(logits / T) (T > 0)\n"
    "  --top-k K            sample among the K most likely tokens\n"
    "  --top-p P            sample among the most likely tokens whose\n"
    "                       probability reaches P (0 < P <= 1)\n"
    "  --seed S             random seed for sampling (default 0)\n"
    "  --threads N          threads for the kernels (default: all cores)\n"
    "  --device D           cpu or cuda (default: the package's target:\n"
    "                       cuda-* packages run on the GPU)\n"
    "  --dump-logits FILE   write float32 logits, row-major\n"
    "                       [prompt tokens + decoded tokens, vocab]: the\n"
    "                       logits after every prompt token and every\n"
    "                       generated token\n"
    "  --stop-at-eos        stop after the model's end-of-sequence token\n"
    "                       (always on with -p and --chat)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 success, 1 runtime error, 2 usage error.\n";

struct UsageError {
  std::string message;
};

struct RuntimeError {
  std::string message;
};

struct Arguments {
  std::string package;
  std::vector<int32_t> prompt;
  bool havePrompt = false;
  long long generate = 32;
  bool greedy = false;
  bool sampling = false;
  facet_sampling params = facet_default_sampling();
  int32_t threads = 0;
  std::string device; // "": the package's own
  std::string dumpLogits;
  bool stopAtEos = false;
  // Text modes (the package's tokenizer).
  std::string text;
  bool haveText = false, raw = false, chat = false, haveGenerate = false;
  facet::ChatOptions chatOptions;
};

long long parseInteger(const std::string &option, const std::string &text,
                       long long min, long long max) {
  errno = 0;
  char *end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || value < min ||
      value > max)
    throw UsageError{option + " expects an integer from " +
                     std::to_string(min) + " to " + std::to_string(max) +
                     ", got '" + text + "'"};
  return value;
}

double parseReal(const std::string &option, const std::string &text) {
  errno = 0;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value))
    throw UsageError{option + " expects a number, got '" + text + "'"};
  return value;
}

std::vector<int32_t> parseIds(const std::string &text) {
  std::vector<int32_t> ids;
  size_t begin = 0;
  for (;;) {
    size_t comma = text.find(',', begin);
    std::string item = text.substr(
        begin, comma == std::string::npos ? std::string::npos : comma - begin);
    // Ids outside the vocabulary are the runtime's to report; here only the
    // int32 range is checked.
    ids.push_back(static_cast<int32_t>(
        parseInteger("--prompt-ids", item, INT32_MIN, INT32_MAX)));
    if (comma == std::string::npos)
      break;
    begin = comma + 1;
  }
  return ids;
}

Arguments parseArguments(int argc, char **argv) {
  Arguments args;
  bool haveTemperature = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool inlineValue = false;
    if (arg.rfind("--", 0) == 0) {
      size_t equals = arg.find('=');
      if (equals != std::string::npos) {
        value = arg.substr(equals + 1);
        arg = arg.substr(0, equals);
        inlineValue = true;
      }
    }
    auto next = [&]() -> std::string {
      if (inlineValue)
        return value;
      if (i + 1 >= argc)
        throw UsageError{arg + " needs a value"};
      return argv[++i];
    };
    auto flag = [&] {
      if (inlineValue)
        throw UsageError{arg + " takes no value"};
    };
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--prompt-ids") {
      args.prompt = parseIds(next());
      args.havePrompt = true;
    } else if (arg == "-p" || arg == "--prompt") {
      args.text = next();
      args.haveText = true;
    } else if (arg == "--raw") {
      flag();
      args.raw = true;
    } else if (arg == "--chat") {
      flag();
      args.chat = true;
    } else if (arg == "--system") {
      args.chatOptions.system = next();
    } else if (arg == "--think") {
      flag();
      args.chatOptions.thinking = true;
    } else if (arg == "-n") {
      args.generate = parseInteger("-n", next(), 0, INT32_MAX);
      args.haveGenerate = true;
    } else if (arg == "--greedy") {
      flag();
      args.greedy = true;
    } else if (arg == "--temperature") {
      double t = parseReal(arg, next());
      if (t <= 0)
        throw UsageError{"--temperature must be greater than 0 (use "
                         "--greedy for argmax), got " +
                         std::to_string(t)};
      args.params.temperature = static_cast<float>(t);
      haveTemperature = true;
      args.sampling = true;
    } else if (arg == "--top-k") {
      args.params.top_k =
          static_cast<int32_t>(parseInteger(arg, next(), 0, INT32_MAX));
      args.sampling = true;
    } else if (arg == "--top-p") {
      double p = parseReal(arg, next());
      if (!(p > 0 && p <= 1))
        throw UsageError{"--top-p must be in (0, 1], got " + std::to_string(p)};
      args.params.top_p = static_cast<float>(p);
      args.sampling = true;
    } else if (arg == "--seed") {
      std::string text = next();
      errno = 0;
      char *end = nullptr;
      unsigned long long seed = std::strtoull(text.c_str(), &end, 10);
      if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE)
        throw UsageError{"--seed expects a non-negative integer, got '" + text +
                         "'"};
      args.params.seed = seed;
    } else if (arg == "--threads") {
      args.threads = static_cast<int32_t>(parseInteger(arg, next(), 1, 4096));
    } else if (arg == "--device") {
      args.device = next();
      if (args.device != "cpu" && args.device != "cuda")
        throw UsageError{"--device expects cpu or cuda, got '" + args.device +
                         "'"};
    } else if (arg == "--dump-logits") {
      args.dumpLogits = next();
      if (args.dumpLogits.empty())
        throw UsageError{"--dump-logits needs a file name"};
    } else if (arg == "--stop-at-eos") {
      flag();
      args.stopAtEos = true;
    } else if (!arg.empty() && arg[0] == '-') {
      throw UsageError{"unknown option '" + arg + "'"};
    } else if (args.package.empty()) {
      args.package = arg;
    } else {
      throw UsageError{"more than one package given ('" + args.package +
                       "' and '" + arg + "')"};
    }
  }
  if (args.package.empty())
    throw UsageError{"no package given"};
  int prompts = int(args.havePrompt) + int(args.haveText) + int(args.chat);
  if (prompts == 0)
    throw UsageError{"give a prompt: --prompt-ids, -p TEXT or --chat"};
  if (prompts > 1)
    throw UsageError{"--prompt-ids, -p and --chat exclude each other"};
  if (args.raw && !args.haveText)
    throw UsageError{"--raw goes with -p"};
  if (args.raw && (args.chatOptions.thinking || !args.chatOptions.system.empty()))
    throw UsageError{"--system and --think need the chat template (not --raw)"};
  if ((args.haveText || args.chat) && !args.haveGenerate)
    args.generate = 256;
  if (args.chat && !args.dumpLogits.empty())
    throw UsageError{"--dump-logits does not go with --chat"};
  if (args.greedy && args.sampling)
    throw UsageError{"--greedy cannot be combined with --temperature, "
                     "--top-k or --top-p"};
  if (args.sampling && !haveTemperature)
    args.params.temperature = 1.0f; // --top-k / --top-p alone: sample at T=1
  return args;
}

void check(facet_status status) {
  if (status != FACET_OK)
    throw RuntimeError{facet_last_error()};
}

class LogitsFile {
public:
  explicit LogitsFile(const std::string &path) : path(path) {
    if (!path.empty()) {
      file = std::fopen(path.c_str(), "wb");
      if (!file)
        throw RuntimeError{"cannot write " + path + ": " +
                           std::strerror(errno)};
    }
  }
  // Unless close() succeeded, an error ended the run: no partial dump.
  ~LogitsFile() {
    if (file) {
      std::fclose(file);
      std::remove(path.c_str());
    }
  }
  bool enabled() const { return file != nullptr; }
  void write(const float *rows, size_t count) {
    if (file && std::fwrite(rows, sizeof(float), count, file) != count)
      throw RuntimeError{"cannot write " + path + ": " + std::strerror(errno)};
  }
  void close() {
    if (file && std::fclose(file) != 0) {
      file = nullptr;
      std::remove(path.c_str());
      throw RuntimeError{"cannot write " + path + ": " + std::strerror(errno)};
    }
    file = nullptr;
  }

private:
  std::string path;
  std::FILE *file = nullptr;
};

double seconds(std::chrono::steady_clock::duration duration) {
  return std::chrono::duration<double>(duration).count();
}

std::string rate(size_t tokens, double time) {
  char text[128];
  if (tokens == 0)
    return "0 tokens";
  std::snprintf(text, sizeof(text), "%zu tokens in %.2f ms (%.1f tok/s)",
                tokens, time * 1e3, time > 0 ? double(tokens) / time : 0.0);
  return text;
}

volatile std::sig_atomic_t interrupted = 0;
extern "C" void onInterrupt(int) { interrupted = 1; }

bool isEos(const facet_model_info &info, int32_t token) {
  for (size_t e = 0; e < info.eos_token_count; ++e)
    if (info.eos_token_ids[e] == token)
      return true;
  return false;
}

std::vector<int32_t> tokenize(facet_model *model, const std::string &text) {
  size_t count = 0;
  facet_status sized =
      facet_tokenize(model, text.data(), text.size(), nullptr, 0, &count);
  if (sized != FACET_OK && count == 0)
    check(sized);
  std::vector<int32_t> ids(count);
  check(facet_tokenize(model, text.data(), text.size(), ids.data(), ids.size(),
                       &count));
  return ids;
}

/// Streams the text `token` completes to stdout.
void printText(facet_model *model, int32_t token) {
  char buffer[256];
  size_t length = 0;
  facet_status status =
      facet_detokenize_next(model, token, buffer, sizeof buffer, &length);
  if (status == FACET_ERROR_INVALID_ARGUMENT && length >= sizeof buffer) {
    std::vector<char> large(length + 1);
    check(facet_detokenize_next(model, -1, large.data(), large.size(),
                                &length));
    std::fwrite(large.data(), 1, length, stdout);
  } else {
    check(status);
    std::fwrite(buffer, 1, length, stdout);
  }
  std::fflush(stdout);
}

struct Generation {
  size_t decoded = 0;
  double decodeTime = 0;
  bool closed = false; // ended on an end-of-sequence token
};

/// Samples up to `count` tokens after the prefill. Ids mode prints ids and
/// decodes every token (the dump holds the logits after each); text mode
/// streams text, stops at an end-of-sequence token (decoded too, so that a
/// chat's cache holds the end of the model's turn) and at Ctrl-C.
Generation generate(facet_model *model, const facet_model_info &info,
                    const Arguments &args, size_t count, bool text,
                    LogitsFile *dump) {
  using Clock = std::chrono::steady_clock;
  Generation result;
  size_t vocab = size_t(info.vocab_size);
  for (size_t i = 0; i < count && !(text && interrupted); ++i) {
    int32_t token;
    check(facet_sample(model, &args.params, &token));
    bool eos = isEos(info, token);
    if (text) {
      printText(model, token);
    } else {
      std::printf(i == 0 ? "%d" : ",%d", token);
      std::fflush(stdout);
      if (args.stopAtEos && eos)
        break;
    }
    Clock::time_point before = Clock::now();
    check(facet_decode(model, token));
    result.decodeTime += seconds(Clock::now() - before);
    ++result.decoded;
    if (dump && dump->enabled()) {
      const float *logits;
      check(facet_logits(model, &logits, nullptr));
      dump->write(logits, vocab);
    }
    if (text && eos) {
      result.closed = true;
      break;
    }
  }
  return result;
}

void requireRoom(const facet_model *model, const facet_model_info &info,
                 size_t prompt, size_t generate) {
  size_t used = size_t(facet_position(model));
  if (used + prompt + generate > size_t(info.max_context))
    throw RuntimeError{
        (used ? std::to_string(used) + " tokens so far, " : std::string()) +
        "prompt of " + std::to_string(prompt) + " tokens and " +
        std::to_string(generate) +
        " generated tokens do not fit the compiled context of " +
        std::to_string(info.max_context) +
        (used || prompt >= size_t(info.max_context)
             ? std::string()
             : " (use -n " +
                   std::to_string(info.max_context - int64_t(prompt)) +
                   " or less)")};
}

void requireTokenizer(facet_model *model, const Arguments &args) {
  if (!facet_has_tokenizer(model))
    throw RuntimeError{args.package +
                       ": this package has no tokenizer (its checkpoint had "
                       "no tokenizer.json); use --prompt-ids"};
  if (!args.raw && facet_token_id(model, "<|turn>") < 0)
    throw RuntimeError{args.package +
                       ": the tokenizer has no <|turn> token for Gemma 4's "
                       "chat template; use -p with --raw"};
}

/// The interactive chat: one user turn per line of stdin.
int chat(facet_model *model, const facet_model_info &info,
         const Arguments &args) {
  requireTokenizer(model, args);
  bool tty = isatty(0);
  bool first = true, lastClosed = true;
  std::string line;
  for (;;) {
    if (tty)
      std::fputs("> ", stderr);
    interrupted = 0;
    if (!std::getline(std::cin, line) || interrupted)
      break;
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    std::string text = first ? facet::chatOpening(args.chatOptions, line)
                             : facet::chatNextTurn(args.chatOptions, line,
                                                   lastClosed);
    std::vector<int32_t> ids = tokenize(model, text);
    requireRoom(model, info, ids.size(), size_t(args.generate));
    using Clock = std::chrono::steady_clock;
    Clock::time_point start = Clock::now();
    check(facet_prefill(model, ids.data(), ids.size()));
    double prefillTime = seconds(Clock::now() - start);
    Generation answer =
        generate(model, info, args, size_t(args.generate), true, nullptr);
    std::printf("\n");
    std::fflush(stdout);
    std::fprintf(stderr, "[prefill %s; decode %s%s]\n",
                 rate(ids.size(), prefillTime).c_str(),
                 rate(answer.decoded, answer.decodeTime).c_str(),
                 interrupted ? "; interrupted" : "");
    lastClosed = answer.closed;
    first = false;
  }
  if (tty)
    std::fputs("\n", stderr);
  return 0;
}

int run(const Arguments &args) {
  facet_options options = facet_default_options();
  options.num_threads = args.threads;
  options.device = args.device.empty() ? nullptr : args.device.c_str();
  facet_model *model = nullptr;
  check(facet_open(args.package.c_str(), &options, &model));
  struct Closer {
    facet_model *model;
    ~Closer() { facet_close(model); }
  } closer{model};
  facet_model_info info;
  check(facet_model_get_info(model, &info));

  // Ctrl-C stops a text answer (and a chat at its prompt) cleanly.
  struct sigaction action = {};
  action.sa_handler = onInterrupt;
  sigaction(SIGINT, &action, nullptr);

  if (args.chat)
    return chat(model, info, args);

  bool text = args.haveText;
  std::vector<int32_t> promptIds = args.prompt;
  if (text) {
    requireTokenizer(model, args);
    if (args.raw) {
      promptIds = tokenize(model, args.text);
      promptIds.insert(promptIds.begin(), info.bos_token_id);
    } else {
      promptIds = tokenize(model, facet::chatOpening(args.chatOptions,
                                                     args.text));
    }
  }
  size_t prompt = promptIds.size();
  size_t toGenerate = static_cast<size_t>(args.generate);

  LogitsFile dump(args.dumpLogits);
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  double prefillTime;
  if (dump.enabled()) {
    // Chunk by chunk: a long prompt's logits need not fit in memory.
    std::string writeError;
    struct Sink {
      LogitsFile *dump;
      std::string *error;
    } sink{&dump, &writeError};
    auto write = [](void *user, size_t, const float *rows, size_t count,
                    size_t vocabSize) {
      Sink *sink = static_cast<Sink *>(user);
      if (!sink->error->empty())
        return;
      try {
        sink->dump->write(rows, count * vocabSize);
      } catch (const RuntimeError &error) {
        *sink->error = error.message;
      }
    };
    check(facet_prefill_chunked(model, promptIds.data(), prompt, write, &sink));
    prefillTime = seconds(Clock::now() - start);
    if (!writeError.empty())
      throw RuntimeError{writeError};
  } else {
    // The runtime reports bad ids and a prompt too long by itself first.
    check(facet_prefill(model, promptIds.data(), prompt));
    prefillTime = seconds(Clock::now() - start);
  }
  // Checked after the prefill, which reports bad ids and a prompt that alone
  // is too long.
  size_t used = size_t(facet_position(model));
  if (used + toGenerate > size_t(info.max_context))
    throw RuntimeError{
        "prompt of " + std::to_string(prompt) + " tokens and " +
        std::to_string(toGenerate) +
        " generated tokens do not fit the compiled context of " +
        std::to_string(info.max_context) + " (use -n " +
        std::to_string(info.max_context - int64_t(prompt)) + " or less)"};

  Generation result = generate(model, info, args, toGenerate, text, &dump);
  std::printf("\n");
  std::fflush(stdout); // the answer ends before the speed line on stderr
  dump.close();
  std::fprintf(stderr, "facet-run: prefill %s; decode %s; %d threads\n",
               rate(prompt, prefillTime).c_str(),
               rate(result.decoded, result.decodeTime).c_str(),
               info.num_threads);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  Arguments args;
  try {
    args = parseArguments(argc, argv);
  } catch (const UsageError &error) {
    std::fprintf(stderr, "facet-run: error: %s\n(run facet-run --help)\n",
                 error.message.c_str());
    return 2;
  }
  try {
    return run(args);
  } catch (const RuntimeError &error) {
    std::fflush(stdout);
    std::fprintf(stderr, "facet-run: error: %s\n", error.message.c_str());
    return 1;
  }
}
