//===- TokenizerBlobTest.cpp - Corrupt tokenizer blobs --------------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// The blob comes from an untrusted package: every truncation, lying length
// or count, out-of-range id and broken invariant must be a Status::Format
// error with a message naming the field, never a crash or a huge
// allocation.
//
//===----------------------------------------------------------------------===//

#include "TokenizerTestUtil.h"

#include "runtime/package/ByteIO.h"
#include "runtime/tokenizer/TokenizerFormat.h"

#include <gtest/gtest.h>

#include <random>

namespace facet::test {
namespace {

using namespace facet::tokenizer;
using runtime::Tokenizer;

/// <unk>, a, b, ab, <0x41>; merge a + b = ab; ' ' -> U+2581; newline split.
TokenizerData smallData() {
  TokenizerData data;
  data.flags = kFlagByteFallback | kFlagDecodeByteFallback;
  data.unknownId = 0;
  data.bosId = 5;
  for (const char *text : {"<unk>", "a", "b", "ab", "<0x41>"})
    data.tokens.push_back({text, kTokenInVocab});
  data.tokens.push_back({"<bos>", kTokenInVocab | kTokenAdded | kTokenSpecial});
  data.merges.push_back({1, 2, 3});
  data.normalizer.push_back({" ", "\xE2\x96\x81"});
  data.preSplit.push_back(
      {SplitKind::NewlineRuns, SplitBehavior::Isolated, ""});
  data.decoder.push_back({"\xE2\x96\x81", " "});
  return data;
}

/// The message of loading `blob`, checking it is a Format error.
std::string loadError(const std::vector<uint8_t> &blob) {
  try {
    Tokenizer::fromBlob(blob.data(), blob.size(), "t.bin");
  } catch (const runtime::Error &error) {
    EXPECT_EQ(error.status(), runtime::Status::Format) << error.what();
    return error.what();
  }
  return "no error";
}

std::string loadError(const TokenizerData &data) {
  return loadError(serializeTokenizer(data));
}

TEST(TokenizerBlob, SmallBlobLoadsAndEncodes) {
  std::vector<uint8_t> blob = serializeTokenizer(smallData());
  Tokenizer tokenizer = Tokenizer::fromBlob(blob.data(), blob.size());
  EXPECT_EQ(tokenizer.encode("<bos>abA"), (std::vector<int32_t>{5, 3, 4}));
  EXPECT_EQ(tokenizer.decode({5, 3, 4}), "<bos>abA");
  EXPECT_EQ(tokenizer.decode({5, 3, 4}, true), "abA");
  EXPECT_EQ(tokenizer.bosId(), 5);
  EXPECT_EQ(tokenizer.eosId(), -1);
  // Round trip: the parser reads exactly what the writer wrote.
  TokenizerData again = parseTokenizer(blob.data(), blob.size(), "t");
  EXPECT_EQ(serializeTokenizer(again), blob);
}

TEST(TokenizerBlob, EveryTruncationIsAnError) {
  std::vector<uint8_t> blob = serializeTokenizer(smallData());
  for (size_t size = 0; size < blob.size(); ++size) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + size);
    std::string message = loadError(cut);
    EXPECT_EQ(message.rfind("t.bin: ", 0), 0u) << message;
  }
  EXPECT_EQ(loadError(std::vector<uint8_t>(blob.begin(), blob.begin() + 10)),
            "t.bin: truncated: 10 bytes, the header alone is 48");
  // Truncating also breaks the size field; with that patched the reader
  // still finds the missing bytes.
  std::vector<uint8_t> cut(blob.begin(), blob.end() - 3);
  package::storeU64(cut.data() + 40, cut.size());
  EXPECT_NE(loadError(cut).find("truncated: decoder rule 0 content"),
            std::string::npos)
      << loadError(cut);
}

TEST(TokenizerBlob, TruncationsOfTheTestTokenizer) {
  const std::vector<uint8_t> &blob = testTokenizerBlob();
  for (size_t size = 0; size < blob.size(); size += 997) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + size);
    if (cut.size() >= 48)
      package::storeU64(cut.data() + 40, cut.size());
    EXPECT_NE(loadError(cut), "no error") << size;
  }
}

TEST(TokenizerBlob, HeaderErrors) {
  std::vector<uint8_t> blob = serializeTokenizer(smallData());
  std::vector<uint8_t> bad = blob;
  bad[0] = 'X';
  EXPECT_EQ(loadError(bad), "t.bin: not a Facet tokenizer (bad magic)");
  bad = blob;
  package::storeU32(bad.data() + 8, 2);
  EXPECT_EQ(loadError(bad),
            "t.bin: format version 2, this runtime reads version 1");
  bad = blob;
  package::storeU32(bad.data() + 12, 1u << 20);
  EXPECT_EQ(loadError(bad), "t.bin: unknown flags 1048576");
  bad = blob;
  package::storeU64(bad.data() + 40, blob.size() + 1);
  EXPECT_EQ(loadError(bad),
            "t.bin: the header says " + std::to_string(blob.size() + 1) +
                " bytes but the blob has " + std::to_string(blob.size()));
  bad = blob;
  bad.push_back(0);
  package::storeU64(bad.data() + 40, bad.size());
  EXPECT_EQ(loadError(bad),
            "t.bin: 1 unexpected bytes after the decoder rules");
}

TEST(TokenizerBlob, LyingCountsAndLengths) {
  std::vector<uint8_t> blob = serializeTokenizer(smallData());
  std::vector<uint8_t> bad = blob;
  package::storeU32(bad.data() + 16, 0xFFFFFFFF); // token count
  EXPECT_EQ(loadError(bad), "t.bin: token count 4294967295 is not in 1 … "
                            "16777216");
  package::storeU32(bad.data() + 16, 1u << 24);
  EXPECT_NE(loadError(bad).find("token count 16777216 but only"),
            std::string::npos);
  bad = blob;
  package::storeU32(bad.data() + 16, 0);
  EXPECT_EQ(loadError(bad), "t.bin: token count 0 is not in 1 … 16777216");
  bad = blob;
  package::storeU32(bad.data() + 20, 1u << 30); // merge count
  EXPECT_NE(loadError(bad).find("merge count 1073741824 but only"),
            std::string::npos);
  bad = blob;
  package::storeU32(bad.data() + 48 + 4, 0x7FFFFFFF); // token 0's length
  EXPECT_EQ(loadError(bad), "t.bin: token 0 text is 2147483647 bytes (at "
                            "most 65536)");
  bad = blob;
  package::storeU32(bad.data() + 48 + 4, 60000); // token 0's length
  EXPECT_NE(loadError(bad).find("truncated: token 0 text needs 60000 bytes"),
            std::string::npos);
}

TEST(TokenizerBlob, InvariantViolations) {
  TokenizerData data = smallData();
  data.merges[0].result = 99;
  EXPECT_EQ(loadError(data),
            "t.bin: merge 0 result id 99 is out of range (6 tokens)");
  data = smallData();
  data.merges[0] = {1, 2, 1};
  EXPECT_EQ(loadError(data),
            "t.bin: merge 0 'a' + 'b' gives 'a', not their concatenation");
  data = smallData();
  data.merges.push_back({1, 2, 3});
  EXPECT_EQ(loadError(data), "t.bin: merge 1 'a' + 'b' appears twice");
  data = smallData();
  data.tokens[2].text = "a";
  EXPECT_EQ(loadError(data),
            "t.bin: token 2 'a' has the same text as an earlier token");
  data = smallData();
  data.tokens[1].text = "\xC3\x28";
  EXPECT_EQ(loadError(data), "t.bin: token 1 text '\xC3(' is not valid UTF-8");
  data = smallData();
  data.tokens[1].text = "";
  EXPECT_EQ(loadError(data), "t.bin: token 1 has an empty text");
  data = smallData();
  data.tokens[1].flags = 1u << 7;
  EXPECT_EQ(loadError(data), "t.bin: token 1 has unknown flags 128");
  data = smallData();
  data.tokens[1].flags = kTokenSpecial;
  EXPECT_EQ(loadError(data),
            "t.bin: token 1 is special or normalized but not an added token");
  data = smallData();
  data.tokens[5].flags = kTokenAdded; // <bos> not in vocab: fine, but
  data.merges[0].left = 5;            // merges only use vocab tokens
  EXPECT_EQ(loadError(data),
            "t.bin: merge 0 left token 5 is not in the BPE vocabulary");
  data = smallData();
  data.unknownId = 6;
  EXPECT_EQ(loadError(data),
            "t.bin: unknown token id 6 is out of range (6 tokens)");
  data = smallData();
  data.eosId = -7;
  EXPECT_EQ(loadError(data), "t.bin: eos id -7 is out of range (6 tokens)");
  data = smallData();
  data.tokens.push_back({"", 0}); // a gap ...
  data.padId = 6;                 // ... is no pad token
  EXPECT_EQ(loadError(data), "t.bin: pad id 6 is not a token");
  data = smallData();
  data.preSplit[0].kind = static_cast<SplitKind>(9);
  EXPECT_EQ(loadError(data), "t.bin: pre-split rule 0 has unknown kind 9");
  data = smallData();
  data.preSplit[0].behavior = static_cast<SplitBehavior>(0);
  EXPECT_EQ(loadError(data), "t.bin: pre-split rule 0 has unknown behavior 0");
  data = smallData();
  data.preSplit[0] = {SplitKind::Literal, SplitBehavior::Isolated, ""};
  EXPECT_EQ(loadError(data),
            "t.bin: pre-split rule 0 is a literal split with an empty pattern");
  data = smallData();
  data.normalizer.push_back({"a", "aaa"}); // 3 (' ' -> U+2581) x 3
  EXPECT_EQ(loadError(data),
            "t.bin: normalizer rules may grow a text more than 8-fold");
  data = smallData();
  data.normalizer[0].pattern = "";
  EXPECT_EQ(loadError(data), "t.bin: normalizer rule 0 has an empty pattern");
  data = smallData();
  data.tokens[5].flags |= kTokenNormalized;
  data.tokens[5].text = " ";
  data.normalizer[0].content = "";
  EXPECT_EQ(loadError(data),
            "t.bin: added token 5 is empty after normalisation");
}

// Random corruption of single bytes: every result loads or is a Format
// error (ASan/UBSan builds of the fuzz target go much further).
TEST(TokenizerBlob, RandomByteFlips) {
  std::vector<uint8_t> blob = serializeTokenizer(smallData());
  std::mt19937 random(7);
  size_t loaded = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> bad = blob;
    size_t at = random() % bad.size();
    bad[at] = static_cast<uint8_t>(random());
    try {
      Tokenizer tokenizer = Tokenizer::fromBlob(bad.data(), bad.size());
      tokenizer.decode(tokenizer.encode("<bos>ab a\nA\xF0\x9F\x98\x80"));
      ++loaded;
    } catch (const runtime::Error &error) {
      ASSERT_EQ(error.status(), runtime::Status::Format) << error.what();
    }
  }
  EXPECT_GT(loaded, 0u);
  EXPECT_LT(loaded, 5000u);
}

TEST(TokenizerBlob, FileErrors) {
  try {
    Tokenizer::fromFile("/nonexistent/tokenizer.bin");
    FAIL() << "no error";
  } catch (const runtime::Error &error) {
    EXPECT_EQ(error.status(), runtime::Status::Io);
    EXPECT_EQ(std::string(error.what()),
              "/nonexistent/tokenizer.bin: cannot open: No such file or "
              "directory");
  }
}

} // namespace
} // namespace facet::test
