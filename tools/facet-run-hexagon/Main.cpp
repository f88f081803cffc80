//===- Main.cpp - facet-run-hexagon: a package on the Hexagon DSP ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
//   qemu-hexagon facet-run-hexagon MODEL.facet --prompt-ids 2,17,99 [-n N]
//                [--greedy] [--dump-logits FILE] [--describe-decode]
//
// The freestanding runner of hexagon-v66-hvx128 packages: a static ELF with
// no libc (runtime/hexagon is its support layer). It reads the package with
// the same core as the host runtime (runtime/core: package layout, manifest,
// the step loop), loads the package's kernel library with its own ELF
// loader, prefills the prompt in chunks, then generates N tokens greedily,
// decoding each one, exactly as `facet-run --prompt-ids ... --greedy` does:
// the same ids on stdout, comma-separated, and the same --dump-logits file
// (the rows prefill returns, then one row after every generated token).
//
// --describe-decode prints, on stderr, where the kernel library was loaded,
// each kernel's code range and the kernels one decode step launches with
// their int8 multiply-accumulates: what tools/hexagon-packets needs to
// attribute qemu's packet trace to kernels.
//
// Exit status: 0 success, 1 a runtime error (bad package, wrong target,
// prompt too long, ...), 2 a usage error.
//
//===----------------------------------------------------------------------===//

#include "runtime/core/Arena.h"
#include "runtime/core/Greedy.h"
#include "runtime/core/HalideArgs.h"
#include "runtime/core/ManifestReader.h"
#include "runtime/core/PackageReader.h"
#include "runtime/core/StepRunner.h"
#include "runtime/hexagon/CLibrary.h"
#include "runtime/hexagon/Memory.h"
#include "runtime/hexagon/SharedObject.h"
#include "runtime/hexagon/System.h"

using namespace facet;
using namespace facet::hexagon;

namespace {

constexpr int kRuntimeError = 1;
constexpr int kUsageError = 2;
constexpr int64_t kMaxPromptTokens = 1 << 20;

const char kUsage[] =
    "usage: facet-run-hexagon MODEL.facet --prompt-ids ID,ID,... [-n N]\n"
    "                         [--greedy] [--dump-logits FILE]\n"
    "                         [--describe-decode]\n"
    "\n"
    "Runs a package compiled for hexagon-v66-hvx128 (here under\n"
    "qemu-hexagon): prefills the prompt ids, then generates N tokens\n"
    "(default 16) greedily and prints their ids, comma-separated.\n"
    "\n"
    "  --prompt-ids LIST   prompt token ids, comma-separated\n"
    "  -n N                tokens to generate (0: prefill only)\n"
    "  --greedy            pick the most likely token (the only mode here)\n"
    "  --dump-logits FILE  write float32 logits, row-major: the rows the\n"
    "                      prefill returns, then one after every generated\n"
    "                      token (as facet-run --dump-logits)\n"
    "  --describe-decode   print the kernel library's load address, each\n"
    "                      kernel's code range and the kernels of one decode\n"
    "                      step with their int8 MACs (tools/hexagon-packets)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exit status: 0 success, 1 runtime error, 2 usage error.\n";

[[noreturn]] void usageError(const char *what, const char *detail = "") {
  writeErr("facet-run-hexagon: ");
  writeErr(what);
  writeErr(detail);
  writeErr("\n(run facet-run-hexagon --help for usage)\n");
  exitProcess(kUsageError);
}

[[noreturn]] void runtimeError(const char *what, const char *detail = "",
                               const char *more = "") {
  writeErr("facet-run-hexagon: error: ");
  writeErr(what);
  writeErr(detail);
  writeErr(more);
  writeErr("\n");
  exitProcess(kRuntimeError);
}

/// A non-negative decimal that fits in int64_t, or -1.
int64_t parseCount(const char *text) {
  if (!*text)
    return -1;
  int64_t value = 0;
  for (; *text; ++text) {
    if (*text < '0' || *text > '9' || value > (INT64_MAX - 9) / 10)
      return -1;
    value = value * 10 + (*text - '0');
  }
  return value;
}

struct Arguments {
  const char *package = nullptr;
  const char *promptIds = nullptr;
  int64_t generate = 16;
  const char *dumpLogits = nullptr;
  bool describe = false;
};

Arguments parseArguments(int argc, char **argv) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    auto value = [&]() -> const char * {
      if (i + 1 >= argc)
        usageError(arg, " needs a value");
      return argv[++i];
    };
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      writeOut(kUsage);
      exitProcess(0);
    } else if (!strcmp(arg, "--prompt-ids")) {
      args.promptIds = value();
    } else if (!strcmp(arg, "-n")) {
      args.generate = parseCount(value());
      if (args.generate < 0)
        usageError("-n needs a non-negative count, got ", argv[i]);
    } else if (!strcmp(arg, "--greedy")) {
      // The default and the only mode: sampling needs a random source and
      // gains nothing for a comparison with the host.
    } else if (!strcmp(arg, "--dump-logits")) {
      args.dumpLogits = value();
    } else if (!strcmp(arg, "--describe-decode")) {
      args.describe = true;
    } else if (arg[0] == '-') {
      usageError("unknown option ", arg);
    } else if (!args.package) {
      args.package = arg;
    } else {
      usageError("more than one package given: ", arg);
    }
  }
  if (!args.package)
    usageError("no package given");
  if (!args.promptIds)
    usageError("no prompt: give --prompt-ids (this runner has no tokenizer)");
  return args;
}

/// Parses "2,17,99" into `ids` (allocated); returns the count.
int64_t parsePromptIds(const char *text, int32_t *&ids) {
  int64_t count = 1;
  for (const char *c = text; *c; ++c)
    count += *c == ',';
  if (count > kMaxPromptTokens)
    usageError("--prompt-ids has too many ids");
  ids = static_cast<int32_t *>(allocate(size_t(count) * sizeof(int32_t)));
  if (!ids)
    runtimeError("out of memory for the prompt");
  int64_t n = 0;
  const char *start = text;
  for (const char *c = text;; ++c) {
    if (*c != ',' && *c != '\0')
      continue;
    bool digits = c > start && c - start <= 10;
    int64_t value = 0;
    for (const char *d = start; digits && d < c; ++d) {
      digits = *d >= '0' && *d <= '9';
      value = value * 10 + (*d - '0');
    }
    if (!digits || value > INT32_MAX)
      usageError("--prompt-ids must be comma-separated non-negative token "
                 "ids, got ",
                 text);
    ids[n++] = int32_t(value);
    if (*c == '\0')
      break;
    start = c + 1;
  }
  return n;
}

/// Arena for the manifest's view: each request its own heap block (they
/// live as long as the process).
class HeapArena final : public core::Arena {
public:
  void *allocate(size_t bytes, size_t align) override {
    if (align > kHeapAlignment)
      return nullptr;
    return hexagon::allocate(bytes ? bytes : 1);
  }
};

/// Zero-filled host memory for the step runner.
core::DeviceMemory allocateMemory(uint64_t bytes, const char *what,
                                  const core::StringView &name) {
  core::DeviceMemory memory;
  memory.bytes = bytes;
  memory.owned = true;
  if (bytes == 0)
    return memory;
  if (bytes > SIZE_MAX)
    runtimeError("too large for this 32-bit DSP: ", what);
  memory.host = hexagon::allocate(size_t(bytes));
  if (!memory.host) {
    char label[128];
    core::MessageBuilder(label, sizeof label)
        .add(" '")
        .add(name.data, name.size)
        .add("'");
    runtimeError("out of memory for ", what, label);
  }
  __builtin_memset(memory.host, 0, size_t(bytes));
  return memory;
}

/// Halide kernels called synchronously through their argv entry points.
class HexagonDevice final : public core::Device {
public:
  HexagonDevice(const core::ManifestView &manifest,
                core::halide::ArgvFunction *entries)
      : manifest(manifest), entries(entries) {}

  bool copyFromHost(const core::DeviceMemory &dst, uint64_t dstOffset,
                    const void *src, uint64_t bytes, core::Status &) override {
    __builtin_memcpy(static_cast<uint8_t *>(dst.host) + dstOffset, src,
                     size_t(bytes));
    return true;
  }

  bool copy(const core::DeviceMemory &dst, uint64_t dstOffset,
            const core::DeviceMemory &src, uint64_t srcOffset, uint64_t bytes,
            core::Status &) override {
    __builtin_memcpy(static_cast<uint8_t *>(dst.host) + dstOffset,
                     static_cast<const uint8_t *>(src.host) + srcOffset,
                     size_t(bytes));
    return true;
  }

  bool launch(uint64_t kernel, const core::KernelArg *args, uint64_t count,
              core::Status &status) override {
    int result = entries[kernel](argv.build(args, count));
    if (result == 0)
      return true;
    const core::KernelView &info = manifest.kernels[kernel];
    status.fail(core::Code::Kernel)
        .add("kernel '")
        .add(info.name.data, info.name.size)
        .add("' (")
        .add(info.symbol.data, info.symbol.size)
        .add(") failed with error ")
        .addSigned(result);
    return false;
  }

private:
  const core::ManifestView &manifest;
  core::halide::ArgvFunction *entries;
  core::halide::ArgvBuilder argv;
};

/// Symbols the kernels reference beyond the support layer's: Halide's
/// Hexagon runtime can place buffers in VTCM (tightly coupled memory) when
/// a schedule asks for it; Facet's schedules never do, and QEMU models no
/// VTCM, so a request gets none.
extern "C" void *facetRequestVtcm(unsigned, unsigned) { return nullptr; }
extern "C" int facetReleaseVtcm(void *) { return 0; }

const ExportedSymbol kRunnerSymbols[] = {
    {"HAP_request_VTCM", reinterpret_cast<void *>(&facetRequestVtcm)},
    {"HAP_release_VTCM", reinterpret_cast<void *>(&facetReleaseVtcm)},
};

/// "name" of a view as a NUL-terminated string in `buffer`.
const char *text(const core::StringView &view, char *buffer, size_t size) {
  core::MessageBuilder(buffer, size).add(view.data, view.size);
  return buffer;
}

void describeKernelLibrary(const SharedObject &library,
                           const core::ManifestView &manifest,
                           const core::EntryView &decode) {
  char line[512];
  core::MessageBuilder(line, sizeof line)
      .add("describe: library ")
      .addUnsigned(library.imageAddress())
      .add(" ")
      .addUnsigned(library.imageSize())
      .add("\n");
  writeErr(line);
  for (uint64_t k = 0; k < manifest.kernelCount; ++k) {
    // The argv entry is a thin wrapper around the kernel's body, which has
    // the symbol's name without "_argv".
    const core::KernelView &kernel = manifest.kernels[k];
    char symbol[256], body[256];
    text(kernel.symbol, symbol, sizeof symbol);
    core::MessageBuilder bodyName(body, sizeof body);
    bodyName.add(kernel.symbol.data,
                 kernel.symbol.size >= 5 ? kernel.symbol.size - 5 : 0);
    uint32_t address = 0, size = 0;
    if (!library.lookup(body, address, size) &&
        !library.lookup(symbol, address, size))
      continue;
    core::MessageBuilder(line, sizeof line)
        .add("describe: kernel ")
        .add(symbol)
        .add(" ")
        .addUnsigned(address)
        .add(" ")
        .addUnsigned(size)
        .add(" ")
        .add(kernel.name.data, kernel.name.size)
        .add("\n");
    writeErr(line);
  }
  // The int8 multiply-accumulates of a decode step's kernels: each int8
  // [out, in] weight is one GEMV of out x in for the step's one token.
  for (uint64_t s = 0; s < decode.stepCount; ++s) {
    const core::StepView &step = decode.steps[s];
    if (step.kind != core::StepKind::Kernel)
      continue;
    uint64_t macs = 0;
    for (uint64_t a = 0; a < step.argCount; ++a) {
      if (step.args[a].kind != core::ArgKind::Weight)
        continue;
      const core::WeightView &weight = manifest.weights[step.args[a].index];
      if (weight.type == core::ElementType::I8 && weight.shape.rank == 2)
        macs += uint64_t(weight.shape.dims[0]) * uint64_t(weight.shape.dims[1]);
    }
    core::MessageBuilder(line, sizeof line)
        .add("describe: step ")
        .add(manifest.kernels[step.kernel].symbol.data,
             manifest.kernels[step.kernel].symbol.size)
        .add(" ")
        .addUnsigned(macs)
        .add("\n");
    writeErr(line);
  }
}

/// Appends float rows to the --dump-logits file, kept in memory until the
/// end (the file is small: rows x vocab of a model that fits a DSP).
class LogitsDump {
public:
  explicit LogitsDump(const char *path) : path(path) {}
  bool enabled() const { return path != nullptr; }

  void add(const float *rows, uint64_t count) {
    if (!path)
      return;
    size_t bytes = size_t(count) * sizeof(float);
    if (used + bytes > capacity) {
      size_t grown = capacity ? capacity * 2 : (size_t(1) << 20);
      while (grown < used + bytes)
        grown *= 2;
      data = static_cast<uint8_t *>(realloc(data, grown));
      if (!data)
        runtimeError("out of memory for the --dump-logits rows");
      capacity = grown;
    }
    __builtin_memcpy(data + used, rows, bytes);
    used += bytes;
  }

  void write() {
    if (!path)
      return;
    ErrorMessage error;
    if (!writeFile(path, data, used, error))
      runtimeError("cannot write the logits: ", error.text());
  }

private:
  const char *path;
  uint8_t *data = nullptr;
  size_t used = 0, capacity = 0;
};

} // namespace

int main(int argc, char **argv) {
  Arguments args = parseArguments(argc, argv);
  int32_t *prompt = nullptr;
  int64_t promptCount = parsePromptIds(args.promptIds, prompt);

  ErrorMessage error;
  FileData file;
  if (!mapFile(args.package, file, error))
    runtimeError(error.text());

  core::Status status;
  core::PackageLayout layout;
  if (!core::readPackageLayout(file.data, file.size, layout, status))
    runtimeError(args.package, ": ", status.message);
  HeapArena arena;
  core::ManifestView manifest;
  if (!core::readManifest(layout.manifest.data, layout.manifest.size,
                          layout.weights.size, arena, manifest, status))
    runtimeError(args.package, ": ", status.message);
  if (!manifest.target.arch.equals("hexagon")) {
    char built[256];
    core::MessageBuilder(built, sizeof built)
        .add(": package built for ")
        .add(manifest.target.name.data, manifest.target.name.size)
        .add(" (")
        .add(manifest.target.arch.data, manifest.target.arch.size)
        .add("); this runner runs hexagon packages (use facet-run)");
    runtimeError(args.package, built);
  }
  const core::EntryView *prefill = core::findEntry(manifest, "prefill");
  const core::EntryView *decode = core::findEntry(manifest, "decode");
  // readManifest guarantees both entries.

  // The kernels: one shared object, bound to the support layer and to the
  // runner's own symbols.
  SharedObject library;
  SymbolTable runnerTable{kRunnerSymbols,
                          sizeof kRunnerSymbols / sizeof kRunnerSymbols[0]};
  if (!library.load(layout.kernels.data, size_t(layout.kernels.size),
                    &runnerTable, 1, error))
    runtimeError(args.package,
                 ": cannot load the kernel library: ", error.text());
  auto *entries = static_cast<core::halide::ArgvFunction *>(
      allocate(size_t(manifest.kernelCount ? manifest.kernelCount : 1) *
               sizeof(core::halide::ArgvFunction)));
  if (!entries)
    runtimeError("out of memory for the kernel table");
  for (uint64_t k = 0; k < manifest.kernelCount; ++k) {
    char symbol[256];
    text(manifest.kernels[k].symbol, symbol, sizeof symbol);
    entries[k] =
        reinterpret_cast<core::halide::ArgvFunction>(library.lookup(symbol));
    if (!entries[k])
      runtimeError(args.package, ": the kernel library has no symbol ", symbol);
  }
  if (args.describe)
    describeKernelLibrary(library, manifest, *decode);

  // Memory the plan describes: the weights where the package lies, each
  // entry's arena, each cache.
  core::DeviceMemory weights;
  weights.host = const_cast<uint8_t *>(layout.weights.data);
  weights.bytes = layout.weights.size;
  core::DeviceMemory prefillArena =
      allocateMemory(prefill->arenaBytes, "the arena of", prefill->name);
  core::DeviceMemory decodeArena =
      allocateMemory(decode->arenaBytes, "the arena of", decode->name);
  auto *caches = static_cast<core::CacheMemory *>(
      allocate(size_t(manifest.cacheCount ? manifest.cacheCount : 1) *
               sizeof(core::CacheMemory)));
  if (!caches)
    runtimeError("out of memory for the cache table");
  for (uint64_t c = 0; c < manifest.cacheCount; ++c) {
    const core::CacheView &cache = manifest.caches[c];
    core::CacheBytes bytes = core::cacheBytes(cache);
    caches[c] = core::CacheMemory();
    caches[c].keys =
        allocateMemory(bytes.keys, "the keys of cache", cache.name);
    caches[c].values =
        allocateMemory(bytes.keys, "the values of cache", cache.name);
    caches[c].keyScales =
        allocateMemory(bytes.scales, "the key scales of cache", cache.name);
    caches[c].valueScales =
        allocateMemory(bytes.scales, "the value scales of cache", cache.name);
  }

  HexagonDevice device(manifest, entries);
  core::StepRunner runner(manifest, weights, caches, device);

  int64_t vocab = manifest.model.vocabSize;
  int64_t context = manifest.model.maxContext;
  if (promptCount > context)
    runtimeError("the prompt does not fit the compiled context");
  if (promptCount + args.generate > context)
    runtimeError("the prompt and the generated tokens do not fit the "
                 "compiled context (generate fewer with -n)");

  auto logitsOf = [&](const core::EntryView &entry,
                      const core::DeviceMemory &memory) {
    return reinterpret_cast<const float *>(
        static_cast<const uint8_t *>(memory.host) +
        entry.buffers[entry.logitsBuffer].arenaOffset);
  };
  bool allRows =
      prefill->buffers[prefill->logitsBuffer].shape.dims[0] == core::kTokens;

  LogitsDump dump(args.dumpLogits);
  const float *last = nullptr;
  for (int64_t done = 0; done < promptCount; done += prefill->maxTokens) {
    int64_t n = promptCount - done < prefill->maxTokens ? promptCount - done
                                                        : prefill->maxTokens;
    // Chunks before the last, whose logits only an all-rows dump reads,
    // stop after their last KV store (core::StepRunner::run).
    bool logits = allRows || done + n == promptCount;
    if (!runner.run(*prefill, prefillArena, prompt + done, n, done, status,
                    logits))
      runtimeError(status.message);
    const float *rows = logitsOf(*prefill, prefillArena);
    if (allRows) {
      dump.add(rows, uint64_t(n) * uint64_t(vocab));
      last = rows + (n - 1) * vocab;
    } else if (done + n == promptCount) {
      dump.add(rows, uint64_t(vocab)); // the prompt's last position only
      last = rows;
    }
  }

  int64_t position = promptCount;
  for (int64_t i = 0; i < args.generate; ++i) {
    int32_t token = core::argmaxToken(last, vocab);
    if (token < 0)
      runtimeError("cannot pick a token: every logit is NaN");
    if (i)
      writeOut(",");
    writeOutNumber(token);
    if (!runner.run(*decode, decodeArena, &token, 1, position, status))
      runtimeError(status.message);
    ++position;
    last = logitsOf(*decode, decodeArena);
    dump.add(last, uint64_t(vocab));
  }
  writeOut("\n");
  dump.write();
  return 0;
}
