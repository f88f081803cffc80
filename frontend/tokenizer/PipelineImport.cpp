//===- PipelineImport.cpp - tokenizer.json text stages -> rules -----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/tokenizer/PipelineImport.h"

using nlohmann::json;

namespace facet::tokenizer_import {

using tokenizer::Replacement;
using tokenizer::SplitBehavior;
using tokenizer::SplitKind;
using tokenizer::SplitRule;

namespace {

/// The spellings of Gemma 4's newline pre-split that tokenizer.json files
/// use (the JSON text holds either "\\n" or a raw newline).
bool isNewlineRunsRegex(const std::string &regex) {
  return regex == "[^\\n]+|[\\n]+" || regex == "[^\n]+|[\n]+" ||
         regex == "[\\n]+|[^\\n]+" || regex == "[\n]+|[^\n]+";
}

/// A {"String": "..."} pattern; Regex patterns are only accepted where a
/// caller knows the regex.
std::string literalPattern(const JsonFields &fields, const json &pattern,
                           const std::string &where) {
  if (const json *literal = fields.find(pattern, where, "String"))
    return fields.string(*literal, where + ".String");
  if (const json *regex = fields.find(pattern, where, "Regex"))
    fields.fail(
        where,
        fmt::format("regex pattern {} is not supported (only "
                    "literal strings)",
                    quoteForMessage(fields.string(*regex, where + ".Regex"))));
  fields.fail(where, "expected {\"String\": ...} or {\"Regex\": ...}");
}

Replacement replaceRule(const JsonFields &fields, const json &object,
                        const std::string &where) {
  Replacement rule;
  rule.pattern = literalPattern(
      fields, fields.require(object, where, "pattern"), where + ".pattern");
  rule.content = fields.string(fields.require(object, where, "content"),
                               where + ".content");
  if (rule.pattern.empty())
    fields.fail(where + ".pattern", "empty pattern");
  if (rule.pattern.size() > tokenizer::kMaxRuleBytes ||
      rule.content.size() > tokenizer::kMaxRuleBytes)
    fields.fail(where, fmt::format("pattern or content longer than {} bytes",
                                   tokenizer::kMaxRuleBytes));
  return rule;
}

void addNormalizer(const JsonFields &fields, const json &normalizer,
                   const std::string &where, std::vector<Replacement> &out) {
  if (normalizer.is_null())
    return;
  std::string type = fields.type(normalizer, where);
  if (type == "Replace") {
    out.push_back(replaceRule(fields, normalizer, where));
  } else if (type == "Sequence") {
    const json &list = fields.require(normalizer, where, "normalizers");
    if (!list.is_array())
      fields.fail(where + ".normalizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      addNormalizer(fields, list[i],
                    fmt::format("{}.normalizers[{}]", where, i), out);
  } else {
    fields.fail(where, fmt::format("normalizer type '{}' is not supported "
                                   "(Facet reads Replace and Sequence)",
                                   type));
  }
}

SplitBehavior parseBehavior(const JsonFields &fields, const json &value,
                            const std::string &where) {
  std::string name = fields.string(value, where);
  if (name == "Removed")
    return SplitBehavior::Removed;
  if (name == "Isolated")
    return SplitBehavior::Isolated;
  if (name == "MergedWithPrevious")
    return SplitBehavior::MergedWithPrevious;
  if (name == "MergedWithNext")
    return SplitBehavior::MergedWithNext;
  if (name == "Contiguous")
    return SplitBehavior::Contiguous;
  fields.fail(where,
              fmt::format("unknown split behavior {}", quoteForMessage(name)));
}

void addPreTokenizer(const JsonFields &fields, const json &preTokenizer,
                     const std::string &where, std::vector<SplitRule> &out) {
  if (preTokenizer.is_null())
    return;
  std::string type = fields.type(preTokenizer, where);
  if (type == "Sequence") {
    const json &list = fields.require(preTokenizer, where, "pretokenizers");
    if (!list.is_array())
      fields.fail(where + ".pretokenizers", "expected an array");
    for (size_t i = 0; i < list.size(); ++i)
      addPreTokenizer(fields, list[i],
                      fmt::format("{}.pretokenizers[{}]", where, i), out);
    return;
  }
  if (type != "Split")
    fields.fail(where, fmt::format("pre_tokenizer type '{}' is not supported "
                                   "(Facet reads Split and Sequence)",
                                   type));
  if (fields.boolean(preTokenizer, where, "invert", false))
    fields.fail(where + ".invert", "inverted splits are not supported");
  SplitRule rule;
  rule.behavior =
      parseBehavior(fields, fields.require(preTokenizer, where, "behavior"),
                    where + ".behavior");
  const json &pattern = fields.require(preTokenizer, where, "pattern");
  if (const json *regex = fields.find(pattern, where + ".pattern", "Regex")) {
    std::string text = fields.string(*regex, where + ".pattern.Regex");
    if (!isNewlineRunsRegex(text))
      fields.fail(where + ".pattern",
                  fmt::format("split regex {} is not supported (only Gemma "
                              "4's \"[^\\n]+|[\\n]+\")",
                              quoteForMessage(text)));
    rule.kind = SplitKind::NewlineRuns;
  } else {
    rule.kind = SplitKind::Literal;
    rule.pattern = literalPattern(fields, pattern, where + ".pattern");
    if (rule.pattern.size() > tokenizer::kMaxRuleBytes)
      fields.fail(where + ".pattern", "pattern too long");
    if (rule.pattern.empty())
      return; // Hugging Face: an empty pattern never splits
  }
  out.push_back(rule);
}

} // namespace

std::vector<Replacement> importNormalizer(const JsonFields &fields,
                                          const json &normalizer) {
  std::vector<Replacement> rules;
  addNormalizer(fields, normalizer, "normalizer", rules);
  if (rules.size() > tokenizer::kMaxRules)
    fields.fail("normalizer", "too many replacements");
  return rules;
}

std::vector<SplitRule> importPreTokenizer(const JsonFields &fields,
                                          const json &preTokenizer) {
  std::vector<SplitRule> rules;
  addPreTokenizer(fields, preTokenizer, "pre_tokenizer", rules);
  if (rules.size() > tokenizer::kMaxRules)
    fields.fail("pre_tokenizer", "too many splits");
  return rules;
}

std::vector<Replacement> importDecoder(const JsonFields &fields,
                                       const json &decoder,
                                       bool &byteFallback) {
  byteFallback = false;
  if (decoder.is_null())
    fields.fail("decoder", "missing: Facet needs the decoder to turn tokens "
                           "back into text");
  std::vector<const json *> steps;
  std::vector<std::string> where;
  if (fields.type(decoder, "decoder") == "Sequence") {
    const json &list = fields.require(decoder, "decoder", "decoders");
    if (!list.is_array())
      fields.fail("decoder.decoders", "expected an array");
    for (size_t i = 0; i < list.size(); ++i) {
      steps.push_back(&list[i]);
      where.push_back(fmt::format("decoder.decoders[{}]", i));
    }
  } else {
    steps.push_back(&decoder);
    where.push_back("decoder");
  }
  std::vector<Replacement> rules;
  for (size_t i = 0; i < steps.size(); ++i) {
    std::string type = fields.type(*steps[i], where[i]);
    if (type == "Replace") {
      // The runtime replaces inside each token before looking for byte
      // tokens, which is this order only.
      if (byteFallback)
        fields.fail(where[i], "a Replace after ByteFallback is not supported");
      rules.push_back(replaceRule(fields, *steps[i], where[i]));
    } else if (type == "ByteFallback") {
      byteFallback = true;
    } else if (type != "Fuse") { // Fuse: the runtime always concatenates
      fields.fail(where[i], fmt::format("decoder type '{}' is not supported "
                                        "(Facet reads Replace, ByteFallback "
                                        "and Fuse)",
                                        type));
    }
  }
  if (rules.size() > tokenizer::kMaxRules)
    fields.fail("decoder", "too many replacements");
  return rules;
}

} // namespace facet::tokenizer_import
