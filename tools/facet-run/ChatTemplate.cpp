//===- ChatTemplate.cpp - Gemma 4's chat format as text -------------------===//

#include "ChatTemplate.h"

namespace facet {
namespace {

/// The templates trim each message.
std::string trim(const std::string &text) {
  const char *space = " \t\r\n";
  size_t begin = text.find_first_not_of(space);
  if (begin == std::string::npos)
    return "";
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

/// With thinking off the model's turn opens with an empty thought channel,
/// as Gemma 4's templates do with add_generation_prompt (GEMMA4.md 4.3), so
/// the model answers at once instead of emitting the channel itself.
std::string userTurn(const ChatOptions &options, const std::string &user) {
  return "<|turn>user\n" + trim(user) + "<turn|>\n<|turn>model\n" +
         (options.thinking ? "" : "<|channel>thought\n<channel|>");
}

} // namespace

std::string chatOpening(const ChatOptions &options, const std::string &user) {
  std::string text = "<bos>";
  if (options.thinking || !trim(options.system).empty())
    text += "<|turn>system\n" + std::string(options.thinking ? "<|think|>" : "") +
            trim(options.system) + "<turn|>\n";
  return text + userTurn(options, user);
}

std::string chatNextTurn(const ChatOptions &options, const std::string &user,
                         bool answerClosed) {
  return std::string(answerClosed ? "\n" : "<turn|>\n") +
         userTurn(options, user);
}

} // namespace facet
