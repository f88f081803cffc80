//===- ChatTemplate.h - Gemma 4's chat format as text -----------*- C++ -*-===//
//
// GEMMA4.md §4.3: <bos><|turn>system\n...<turn|>\n<|turn>user\n...<turn|>\n
// <|turn>model\n... The text is tokenized as a whole (the special tokens are
// matched whole by the tokenizer). A chat keeps its KV cache, so each later
// turn only appends what follows the model's last token.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_TOOLS_FACET_RUN_CHATTEMPLATE_H
#define FACET_TOOLS_FACET_RUN_CHATTEMPLATE_H

#include <string>

namespace facet {

struct ChatOptions {
  std::string system; ///< system turn text ("" and no thinking: no turn)
  bool thinking = false; ///< system turn starts with <|think|>
};

/// The text of a conversation's start: BOS, the system turn if any, the
/// user's turn, and the opening of the model's turn (with an empty thought
/// channel when thinking is off).
std::string chatOpening(const ChatOptions &options, const std::string &user);

/// What follows a model answer for the next user turn. `answerClosed`: the
/// model ended its turn itself (its last token was <turn|>); otherwise the
/// turn is closed here.
std::string chatNextTurn(const ChatOptions &options, const std::string &user,
                         bool answerClosed);

} // namespace facet

#endif // FACET_TOOLS_FACET_RUN_CHATTEMPLATE_H
