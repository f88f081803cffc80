//===- TokenizerCorpusTest.cpp - Runtime tokenizer vs Hugging Face --------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The committed Gemma-format tokenizer.json, converted by the compiler side
// and loaded by the runtime, must give exactly the ids and texts that the
// `tokenizers` library gave for every string of data/corpus.json (ASCII,
// whitespace runs, newlines, accents, CJK, emoji, byte fallback, special
// tokens inside text, the empty string, a long license text).
//
//===----------------------------------------------------------------------===//

#include "TokenizerTestUtil.h"

#include "runtime/tokenizer/Utf8.h"

#include <gtest/gtest.h>

#include <random>

namespace facet::test {
namespace {

using runtime::Tokenizer;
using runtime::TokenStreamDecoder;

std::string printable(const std::string &text) {
  std::string out;
  for (char c : text.substr(0, 60))
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

TEST(TokenizerCorpus, EncodeGivesTheLibrarysIds) {
  const Tokenizer &tokenizer = testTokenizer();
  const auto &cases = testCorpus().at("cases");
  ASSERT_GE(cases.size(), 40u);
  size_t passed = 0;
  for (const auto &entry : cases) {
    std::string text = entry.at("text");
    std::vector<int32_t> expected = entry.at("ids");
    std::vector<int32_t> ids = tokenizer.encode(text);
    EXPECT_EQ(ids, expected) << "text: \"" << printable(text) << "\"";
    passed += ids == expected;
  }
  std::printf("corpus encode: %zu/%zu cases match\n", passed, cases.size());
}

TEST(TokenizerCorpus, DecodeGivesTheLibrarysText) {
  const Tokenizer &tokenizer = testTokenizer();
  const auto &cases = testCorpus().at("cases");
  size_t passed = 0;
  for (const auto &entry : cases) {
    std::vector<int32_t> ids = entry.at("ids");
    std::string expected = entry.at("decoded");
    std::string text = tokenizer.decode(ids);
    EXPECT_EQ(text, expected);
    passed += text == expected;
  }
  std::printf("corpus decode: %zu/%zu cases match\n", passed, cases.size());
}

TEST(TokenizerCorpus, StreamingDecodeNeverSplitsACharacter) {
  const Tokenizer &tokenizer = testTokenizer();
  size_t chunks = 0, empty = 0;
  for (const auto &entry : testCorpus().at("cases")) {
    std::vector<int32_t> ids = entry.at("ids");
    std::string expected = entry.at("decoded");
    TokenStreamDecoder stream(tokenizer);
    std::string text;
    for (int32_t id : ids) {
      std::string chunk = stream.push(id);
      ASSERT_TRUE(tokenizer::isValidUtf8(chunk))
          << "token " << id << " of \"" << printable(expected) << "\"";
      text += chunk;
      ++chunks;
      empty += chunk.empty();
    }
    std::string rest = stream.finish();
    EXPECT_EQ(rest, "") << "a valid text leaves no pending bytes";
    EXPECT_EQ(text + rest, expected);
  }
  // The CJK and emoji cases are byte tokens: most of them emit nothing.
  EXPECT_GT(empty, 20u);
  EXPECT_GT(chunks, empty);
}

TEST(TokenizerCorpus, SpecialTokensByName) {
  const Tokenizer &tokenizer = testTokenizer();
  for (const auto &[name, id] : testCorpus().at("special").items()) {
    EXPECT_EQ(tokenizer.tokenId(name), id.get<int32_t>()) << name;
    EXPECT_EQ(tokenizer.tokenText(id.get<int32_t>()), name);
  }
  EXPECT_EQ(tokenizer.bosId(), tokenizer.tokenId("<bos>"));
  EXPECT_EQ(tokenizer.eosId(), tokenizer.tokenId("<eos>"));
  EXPECT_EQ(tokenizer.padId(), tokenizer.tokenId("<pad>"));
  EXPECT_EQ(tokenizer.unknownId(), tokenizer.tokenId("<unk>"));
  EXPECT_GE(tokenizer.tokenId("<|turn>"), 0);
  EXPECT_GE(tokenizer.tokenId("<turn|>"), 0);
  EXPECT_TRUE(tokenizer.isSpecial(tokenizer.tokenId("<turn|>")));
  // llama.cpp's USER_DEFINED tokens: added, but not special.
  EXPECT_FALSE(tokenizer.isSpecial(tokenizer.tokenId("<|channel>")));
  EXPECT_EQ(tokenizer.tokenId("<start_of_turn>"), -1);
  EXPECT_EQ(tokenizer.vocabSize(), 2000u);
}

TEST(TokenizerCorpus, SkipSpecialDropsOnlySpecialTokens) {
  const Tokenizer &tokenizer = testTokenizer();
  std::vector<int32_t> ids =
      tokenizer.encode("<bos><|turn>user\nhi<turn|><|channel>x<channel|>");
  EXPECT_EQ(tokenizer.decode(ids, /*skipSpecial=*/true),
            "user\nhi<|channel>x<channel|>");
}

TEST(TokenizerCorpus, EmojiComesOutWholeWhenItsLastByteArrives) {
  const Tokenizer &tokenizer = testTokenizer();
  std::vector<int32_t> ids = tokenizer.encode("😀");
  ASSERT_EQ(ids.size(), 4u); // byte fallback: F0 9F 98 80
  EXPECT_EQ(tokenizer.tokenText(ids[0]), "<0xF0>");
  TokenStreamDecoder stream(tokenizer);
  EXPECT_EQ(stream.push(ids[0]), "");
  EXPECT_EQ(stream.push(ids[1]), "");
  EXPECT_EQ(stream.push(ids[2]), "");
  EXPECT_EQ(stream.push(ids[3]), "😀");
  // An interrupted character becomes U+FFFD per byte, then the text.
  EXPECT_EQ(stream.push(ids[0]), "");
  EXPECT_EQ(stream.push(ids[1]), "");
  EXPECT_EQ(stream.push(tokenizer.tokenId("a")), "\xEF\xBF\xBD\xEF\xBF\xBD"
                                                 "a");
  EXPECT_EQ(stream.push(ids[0]), "");
  EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD");
  stream.push(ids[0]);
  stream.reset();
  EXPECT_EQ(stream.finish(), "");
}

TEST(TokenizerCorpus, InvalidUtf8InputFallsBackToBytes) {
  const Tokenizer &tokenizer = testTokenizer();
  std::vector<int32_t> ids = tokenizer.encode("a\xFF"
                                              "b\xE4\xBD");
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(tokenizer.tokenText(ids[1]), "<0xFF>");
  EXPECT_EQ(tokenizer.tokenText(ids[3]), "<0xE4>");
  EXPECT_EQ(tokenizer.tokenText(ids[4]), "<0xBD>");
  EXPECT_EQ(tokenizer.decode(ids), "a\xEF\xBF\xBD"
                                   "b\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TokenizerCorpus, OutOfRangeIdsAreErrors) {
  const Tokenizer &tokenizer = testTokenizer();
  EXPECT_THROW(tokenizer.decode({1, 2000}), runtime::Error);
  EXPECT_THROW(tokenizer.decode({-1}), runtime::Error);
  EXPECT_THROW(tokenizer.tokenText(2000), runtime::Error);
  TokenStreamDecoder stream(tokenizer);
  try {
    stream.push(123456);
    FAIL() << "no error";
  } catch (const runtime::Error &error) {
    EXPECT_EQ(error.status(), runtime::Status::TokenOutOfRange);
    EXPECT_STREQ(error.what(),
                 "token id 123456 is outside the vocabulary (2000 tokens)");
  }
}

// Random id sequences, rich in byte tokens (so in broken UTF-8): streaming
// must equal whole decoding, and both must always be valid UTF-8.
TEST(TokenizerCorpus, StreamingEqualsDecodeOnRandomIds) {
  const Tokenizer &tokenizer = testTokenizer();
  int32_t firstByte = tokenizer.tokenId("<0x00>");
  ASSERT_GE(firstByte, 0);
  std::mt19937 random(42);
  std::uniform_int_distribution<int32_t> anyId(
      0, static_cast<int32_t>(tokenizer.vocabSize()) - 1);
  std::uniform_int_distribution<int32_t> byteId(firstByte, firstByte + 255);
  std::uniform_int_distribution<int> coin(0, 3);
  for (int round = 0; round < 2000; ++round) {
    std::vector<int32_t> ids(1 + round % 17);
    for (int32_t &id : ids)
      id = coin(random) == 0 ? anyId(random) : byteId(random);
    std::string whole = tokenizer.decode(ids);
    ASSERT_TRUE(tokenizer::isValidUtf8(whole));
    TokenStreamDecoder stream(tokenizer);
    std::string streamed;
    for (int32_t id : ids) {
      std::string chunk = stream.push(id);
      ASSERT_TRUE(tokenizer::isValidUtf8(chunk));
      streamed += chunk;
    }
    streamed += stream.finish();
    ASSERT_EQ(streamed, whole);
  }
}

TEST(TokenizerCorpus, EncodeDecodeRoundTripsText) {
  // Without a literal U+2581 in the input, decode(encode(x)) == x.
  const Tokenizer &tokenizer = testTokenizer();
  for (const auto &entry : testCorpus().at("cases")) {
    std::string text = entry.at("text");
    if (text.find("\xE2\x96\x81") != std::string::npos)
      continue;
    EXPECT_EQ(tokenizer.decode(tokenizer.encode(text)), text);
  }
}

} // namespace
} // namespace facet::test
