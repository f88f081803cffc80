//===- TextRules.cpp - Normaliser and pre-split of the tokenizer ----------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/tokenizer/TextRules.h"

namespace facet::tokenizer {

std::string applyReplacements(std::string_view text,
                              const std::vector<Replacement> &rules) {
  std::string current(text);
  std::string next;
  for (const Replacement &rule : rules) {
    size_t found = current.find(rule.pattern);
    if (found == std::string::npos)
      continue;
    next.clear();
    size_t start = 0;
    for (; found != std::string::npos;
         found = current.find(rule.pattern, start)) {
      next.append(current, start, found - start);
      next += rule.content;
      start = found + rule.pattern.size();
    }
    next.append(current, start, std::string::npos);
    current.swap(next);
  }
  return current;
}

namespace {

struct Span {
  size_t begin, end;
  bool match;
};

/// The spans of `text` (in order, covering it): delimiter matches and the
/// text between them, as Hugging Face's Pattern::find_matches gives them.
void findSpans(std::string_view text, const SplitRule &rule,
               std::vector<Span> &spans) {
  spans.clear();
  if (rule.kind == SplitKind::NewlineRuns) {
    // `[^\n]+|[\n]+` matches everything: every maximal run is a match.
    for (size_t begin = 0; begin < text.size();) {
      bool newline = text[begin] == '\n';
      size_t end = begin + 1;
      while (end < text.size() && (text[end] == '\n') == newline)
        ++end;
      spans.push_back({begin, end, true});
      begin = end;
    }
    return;
  }
  size_t start = 0;
  for (size_t found = text.find(rule.pattern); found != std::string::npos;
       found = text.find(rule.pattern, start)) {
    if (found > start)
      spans.push_back({start, found, false});
    spans.push_back({found, found + rule.pattern.size(), true});
    start = found + rule.pattern.size();
  }
  if (start < text.size())
    spans.push_back({start, text.size(), false});
}

/// Appends the pieces of `text` under `rule` (Hugging Face's
/// NormalizedString::split with a SplitDelimiterBehavior).
void splitOne(std::string_view text, const SplitRule &rule,
              std::vector<Span> &spans, std::vector<Span> &merged,
              std::vector<std::string_view> &out) {
  findSpans(text, rule, spans);
  merged.clear();
  bool previousMatch = false;
  switch (rule.behavior) {
  case SplitBehavior::Removed:
  case SplitBehavior::Isolated:
    merged = spans;
    break;
  case SplitBehavior::Contiguous:
    for (const Span &span : spans) {
      if (span.match == previousMatch && !merged.empty())
        merged.back().end = span.end;
      else
        merged.push_back({span.begin, span.end, false});
      previousMatch = span.match;
    }
    break;
  case SplitBehavior::MergedWithPrevious:
    for (const Span &span : spans) {
      if (span.match && !previousMatch && !merged.empty())
        merged.back().end = span.end;
      else
        merged.push_back({span.begin, span.end, false});
      previousMatch = span.match;
    }
    break;
  case SplitBehavior::MergedWithNext:
    for (size_t i = spans.size(); i-- > 0;) {
      const Span &span = spans[i];
      if (span.match && !previousMatch && !merged.empty())
        merged.back().begin = span.begin;
      else
        merged.push_back({span.begin, span.end, false});
      previousMatch = span.match;
    }
    for (size_t i = 0, j = merged.size(); i + 1 < j; ++i, --j)
      std::swap(merged[i], merged[j - 1]);
    break;
  }
  for (const Span &span : merged) {
    if (span.end == span.begin)
      continue;
    if (rule.behavior == SplitBehavior::Removed && span.match)
      continue;
    out.push_back(text.substr(span.begin, span.end - span.begin));
  }
}

} // namespace

void preSplit(std::string_view text, const std::vector<SplitRule> &rules,
              std::vector<std::string_view> &pieces,
              std::vector<std::string_view> &scratch) {
  if (text.empty())
    return;
  if (rules.empty()) {
    pieces.push_back(text);
    return;
  }
  std::vector<Span> spans, merged;
  std::vector<std::string_view> current{text};
  for (size_t r = 0; r < rules.size(); ++r) {
    std::vector<std::string_view> &out =
        r + 1 == rules.size() ? pieces : scratch;
    if (&out == &scratch)
      scratch.clear();
    for (std::string_view piece : current)
      splitOne(piece, rules[r], spans, merged, out);
    if (&out == &scratch)
      current.swap(scratch);
  }
}

} // namespace facet::tokenizer
