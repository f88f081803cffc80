//===- TokenizerImport.cpp - tokenizer.json -> runtime tokenizer blob -----===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The BPE model and the added tokens, mirroring how Hugging Face tokenizers
// loads them (so the runtime's ids are the library's): merges refer to
// tokens by text and their result is the concatenation; of a pair listed
// twice the later rank wins (the library collects merges into a map);
// added tokens found in the vocabulary keep the vocabulary's id.
//
//===----------------------------------------------------------------------===//

#include "frontend/tokenizer/TokenizerImport.h"

#include "frontend/tokenizer/JsonFields.h"
#include "frontend/tokenizer/PipelineImport.h"
#include "runtime/package/FormatError.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

using nlohmann::json;

namespace facet {

using namespace tokenizer;
using tokenizer_import::JsonFields;

namespace {

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad())
    throw Error(fmt::format("{}: cannot read", path));
  return text.str();
}

struct Model {
  std::unordered_map<std::string, uint32_t> vocab;
  std::vector<std::string> texts; // id -> text; "" for ids not in vocab
};

void importVocab(const JsonFields &fields, const json &model, Model &out) {
  const json &vocab = fields.require(model, "model", "vocab");
  if (!vocab.is_object())
    fields.fail("model.vocab", fmt::format("expected an object of token -> "
                                           "id, found {}",
                                           jsonTypeName(vocab)));
  if (vocab.empty())
    fields.fail("model.vocab", "empty vocabulary");
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    const std::string &text = it.key();
    std::string where = fmt::format("model.vocab[{}]", quoteForMessage(text));
    auto id =
        static_cast<uint32_t>(fields.index(it.value(), where, kMaxTokens - 1));
    if (text.empty())
      fields.fail(where, "empty token");
    if (text.size() > kMaxTokenBytes)
      fields.fail(where, "token longer than 65536 bytes");
    if (id >= out.texts.size())
      out.texts.resize(id + 1);
    if (!out.texts[id].empty())
      fields.fail(where, fmt::format("id {} is also given to {}", id,
                                     quoteForMessage(out.texts[id])));
    out.texts[id] = text;
    out.vocab.emplace(text, id);
  }
}

/// One entry of model.merges: "left right" (older files) or ["left", "right"].
std::pair<std::string, std::string> mergeParts(const JsonFields &fields,
                                               const json &entry,
                                               const std::string &where) {
  if (entry.is_string()) {
    std::string text = entry.get<std::string>();
    size_t space = text.find(' ');
    if (space == std::string::npos ||
        text.find(' ', space + 1) != std::string::npos)
      fields.fail(where, fmt::format("{} is not two tokens separated by one "
                                     "space",
                                     quoteForMessage(text)));
    return {text.substr(0, space), text.substr(space + 1)};
  }
  if (entry.is_array() && entry.size() == 2)
    return {fields.string(entry[0], where + "[0]"),
            fields.string(entry[1], where + "[1]")};
  fields.fail(where, fmt::format("expected \"left right\" or [left, right], "
                                 "found {}",
                                 jsonTypeName(entry)));
}

std::vector<MergeRule> importMerges(const JsonFields &fields, const json &model,
                                    const Model &vocab) {
  const json &merges = fields.require(model, "model", "merges");
  if (!merges.is_array())
    fields.fail("model.merges", fmt::format("expected an array, found {}",
                                            jsonTypeName(merges)));
  auto lookup = [&](const std::string &text, const std::string &where,
                    const char *what) {
    auto found = vocab.vocab.find(text);
    if (found == vocab.vocab.end())
      fields.fail(where, fmt::format("{} {} is not in the vocab", what,
                                     quoteForMessage(text)));
    return found->second;
  };
  std::vector<MergeRule> rules;
  rules.reserve(merges.size());
  std::unordered_map<uint64_t, size_t> rankOf; // pair -> index in `rules`
  for (size_t i = 0; i < merges.size(); ++i) {
    std::string where = fmt::format("model.merges[{}]", i);
    auto [left, right] = mergeParts(fields, merges[i], where);
    MergeRule rule;
    rule.left = lookup(left, where, "left token");
    rule.right = lookup(right, where, "right token");
    rule.result = lookup(left + right, where, "merged token");
    uint64_t key = (static_cast<uint64_t>(rule.left) << 32) | rule.right;
    auto [slot, inserted] = rankOf.emplace(key, rules.size());
    if (!inserted)
      rules[slot->second].result = UINT32_MAX; // superseded: dropped below
    slot->second = rules.size();
    rules.push_back(rule);
  }
  std::vector<MergeRule> kept;
  kept.reserve(rules.size());
  for (const MergeRule &rule : rules)
    if (rule.result != UINT32_MAX)
      kept.push_back(rule);
  return kept;
}

void importModel(const JsonFields &fields, const json &root,
                 TokenizerData &data, Model &vocab) {
  const json &model = fields.require(root, "tokenizer.json", "model");
  const json *typeField = fields.find(model, "model", "type");
  // Old files may leave out the type of a BPE model; it has merges.
  std::string type = typeField ? fields.string(*typeField, "model.type")
                     : fields.find(model, "model", "merges") ? "BPE"
                                                             : "";
  if (type != "BPE")
    fields.fail("model.type",
                type.empty()
                    ? std::string("missing (Facet reads BPE tokenizers)")
                    : fmt::format("'{}' is not supported (Facet reads BPE "
                                  "tokenizers like Gemma's)",
                                  type));
  if (const json *dropout = fields.find(model, "model", "dropout");
      dropout && !dropout->is_null() &&
      !(dropout->is_number() && dropout->get<double>() == 0.0))
    fields.fail("model.dropout", "BPE dropout is not supported");
  for (const char *key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (const json *affix = fields.find(model, "model", key);
        affix && !affix->is_null() &&
        !fields.string(*affix, std::string("model.") + key).empty())
      fields.fail(std::string("model.") + key, "not supported");

  importVocab(fields, model, vocab);
  data.merges = importMerges(fields, model, vocab);
  if (fields.boolean(model, "model", "byte_fallback", false))
    data.flags |= kFlagByteFallback;
  if (fields.boolean(model, "model", "fuse_unk", false))
    data.flags |= kFlagFuseUnknown;
  if (fields.boolean(model, "model", "ignore_merges", false))
    data.flags |= kFlagIgnoreMerges;
  if (const json *unk = fields.find(model, "model", "unk_token");
      unk && !unk->is_null()) {
    std::string text = fields.string(*unk, "model.unk_token");
    auto found = vocab.vocab.find(text);
    if (found == vocab.vocab.end())
      fields.fail("model.unk_token",
                  fmt::format("{} is not in the vocab", quoteForMessage(text)));
    data.unknownId = static_cast<int32_t>(found->second);
  }
}

void importAddedTokens(const JsonFields &fields, const json &root,
                       TokenizerData &data) {
  const json *added = fields.find(root, "tokenizer.json", "added_tokens");
  if (!added || added->is_null())
    return;
  if (!added->is_array())
    fields.fail("added_tokens", "expected an array");
  std::unordered_map<std::string, size_t> seen;
  for (size_t i = 0; i < added->size(); ++i) {
    const json &token = (*added)[i];
    std::string where = fmt::format("added_tokens[{}]", i);
    auto id = static_cast<uint32_t>(fields.index(
        fields.require(token, where, "id"), where + ".id", kMaxTokens - 1));
    std::string content = fields.string(fields.require(token, where, "content"),
                                        where + ".content");
    if (content.empty())
      fields.fail(where + ".content", "empty token");
    if (content.size() > kMaxTokenBytes)
      fields.fail(where + ".content", "token longer than 65536 bytes");
    for (const char *flag : {"single_word", "lstrip", "rstrip"})
      if (fields.boolean(token, where, flag, false))
        fields.fail(fmt::format("{}.{}", where, flag),
                    "added tokens that strip or match whole words are not "
                    "supported");
    if (!seen.emplace(content, id).second)
      fields.fail(where,
                  fmt::format("{} is added twice", quoteForMessage(content)));
    if (id >= data.tokens.size())
      data.tokens.resize(id + 1);
    TokenEntry &entry = data.tokens[id];
    if (entry.flags & kTokenAdded)
      fields.fail(where + ".id", fmt::format("id {} is given to two added "
                                             "tokens",
                                             id));
    if (entry.flags != 0 && entry.text != content)
      fields.fail(where, fmt::format("added token {} has id {}, which the "
                                     "vocab gives to {}",
                                     quoteForMessage(content), id,
                                     quoteForMessage(entry.text)));
    entry.text = content;
    entry.flags |= kTokenAdded;
    if (fields.boolean(token, where, "special", false))
      entry.flags |= kTokenSpecial;
    // Hugging Face's default for a missing "normalized" is !special.
    if (fields.boolean(token, where, "normalized",
                       !(entry.flags & kTokenSpecial)))
      entry.flags |= kTokenNormalized;
  }
}

/// A token named by tokenizer_config.json: "text" or {"content": "text"}.
int32_t configToken(const JsonFields &fields, const json &config,
                    const char *key,
                    const std::unordered_map<std::string, int32_t> &ids) {
  const json *value = fields.find(config, "tokenizer_config.json", key);
  if (!value || value->is_null())
    return -1;
  std::string where = std::string("tokenizer_config.json: ") + key;
  std::string text =
      value->is_object()
          ? fields.string(fields.require(*value, where, "content"),
                          where + ".content")
          : fields.string(*value, where);
  auto found = ids.find(text);
  if (found == ids.end())
    fields.fail(where, fmt::format("{} is not a token", quoteForMessage(text)));
  return found->second;
}

void importSpecialIds(std::string_view configText, std::string_view origin,
                      TokenizerData &data) {
  std::unordered_map<std::string, int32_t> ids;
  for (size_t id = 0; id < data.tokens.size(); ++id)
    if (data.tokens[id].flags != 0)
      ids.emplace(data.tokens[id].text, static_cast<int32_t>(id));
  if (!configText.empty()) {
    std::string configOrigin =
        fmt::format("{} (tokenizer_config.json)", origin);
    json config = parseJson(configText, configOrigin);
    JsonFields configFields(configOrigin);
    data.bosId = configToken(configFields, config, "bos_token", ids);
    data.eosId = configToken(configFields, config, "eos_token", ids);
    data.padId = configToken(configFields, config, "pad_token", ids);
    return;
  }
  auto byName = [&](const char *text) {
    auto found = ids.find(text);
    return found == ids.end() ? -1 : found->second;
  };
  data.bosId = byName("<bos>");
  data.eosId = byName("<eos>");
  data.padId = byName("<pad>");
}

} // namespace

TokenizerData importTokenizerJsonText(std::string_view text,
                                      std::string_view origin,
                                      std::string_view configText) {
  JsonParseOptions options;
  options.topLevelKeyNoun = "field";
  json root = parseJson(text, origin, options);
  JsonFields fields(origin);
  if (!root.is_object())
    fields.fail("tokenizer.json", fmt::format("expected an object, found {}",
                                              jsonTypeName(root)));
  TokenizerData data;
  Model vocab;
  importModel(fields, root, data, vocab);
  data.tokens.resize(vocab.texts.size());
  for (size_t id = 0; id < vocab.texts.size(); ++id)
    if (!vocab.texts[id].empty())
      data.tokens[id] = TokenEntry{vocab.texts[id], kTokenInVocab};
  importAddedTokens(fields, root, data);

  auto component = [&](const char *key) -> const json & {
    static const json null;
    const json *value = fields.find(root, "tokenizer.json", key);
    return value ? *value : null;
  };
  data.normalizer =
      tokenizer_import::importNormalizer(fields, component("normalizer"));
  data.preSplit =
      tokenizer_import::importPreTokenizer(fields, component("pre_tokenizer"));
  bool byteFallback = false;
  data.decoder = tokenizer_import::importDecoder(fields, component("decoder"),
                                                 byteFallback);
  if (byteFallback)
    data.flags |= kFlagDecodeByteFallback;
  importSpecialIds(configText, origin, data);
  return data;
}

TokenizerData importTokenizerJson(const std::string &path) {
  std::string text = readFile(path);
  std::filesystem::path config =
      std::filesystem::path(path).parent_path() / "tokenizer_config.json";
  std::error_code error;
  std::string configText;
  if (std::filesystem::is_regular_file(config, error))
    configText = readFile(config.string());
  return importTokenizerJsonText(text, path, configText);
}

std::vector<uint8_t> serializeCheckedTokenizer(const TokenizerData &data,
                                               std::string_view origin) {
  std::vector<uint8_t> blob = serializeTokenizer(data);
  try {
    parseTokenizer(blob.data(), blob.size(), std::string(origin));
  } catch (const package::FormatError &error) {
    // Whatever the importer checked, the runtime's parser has the last word.
    throw Error(
        fmt::format("{} (the converted tokenizer is invalid)", error.what()));
  }
  return blob;
}

std::vector<uint8_t> convertTokenizerJson(const std::string &path) {
  return serializeCheckedTokenizer(importTokenizerJson(path), path);
}

} // namespace facet
