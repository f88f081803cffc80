//===- CheckpointTest.cpp - Tests of checkpoint directories ---------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Checkpoint.h"
#include "frontend/support/Error.h"
#include "test/unit/TestUtil.h"

#include <gtest/gtest.h>

using namespace facet;
using namespace facet::test;

namespace {

Bytes shardWith(std::initializer_list<std::string> names) {
  // Each tensor: U8 [2].
  std::string header = "{";
  uint64_t offset = 0;
  for (const std::string &name : names) {
    if (header.size() > 1)
      header += ",";
    header += "\"" + name + R"(":{"dtype":"U8","shape":[2],"data_offsets":[)" +
              std::to_string(offset) + "," + std::to_string(offset + 2) + "]}";
    offset += 2;
  }
  header += "}";
  return makeSafetensors(header, iota(offset));
}

} // namespace

TEST(Checkpoint, SingleFile) {
  TempDir dir;
  dir.write("model.safetensors", shardWith({"b", "a"}));
  CheckpointFiles ckpt = CheckpointFiles::open(dir.path());
  EXPECT_FALSE(ckpt.sharded());
  EXPECT_EQ(ckpt.dir(), dir.path());
  EXPECT_EQ(ckpt.tensorNames(), (std::vector<std::string>{"a", "b"}));
  ASSERT_EQ(ckpt.files().size(), 1u);
  EXPECT_EQ(ckpt.files()[0], dir.path() + "/model.safetensors");
  const TensorView *a = ckpt.find("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->data[0], 2); // "a" is second in the shard
  EXPECT_EQ(ckpt.fileOf(*a), ckpt.files()[0]);
  EXPECT_EQ(ckpt.find("c"), nullptr);
}

TEST(Checkpoint, ShardedIndex) {
  TempDir dir;
  dir.write("model-00001-of-00002.safetensors", shardWith({"x.1", "x.2"}));
  dir.write("model-00002-of-00002.safetensors", shardWith({"y.1"}));
  dir.write("model.safetensors.index.json", std::string_view(R"({
    "metadata": {"total_size": 6},
    "weight_map": {
      "x.1": "model-00001-of-00002.safetensors",
      "x.2": "model-00001-of-00002.safetensors",
      "y.1": "model-00002-of-00002.safetensors"
    }})"));
  // Moving the object keeps the views valid.
  CheckpointFiles opened = CheckpointFiles::open(dir.path() + "/");
  CheckpointFiles ckpt = std::move(opened);
  EXPECT_TRUE(ckpt.sharded());
  EXPECT_EQ(ckpt.tensorNames(),
            (std::vector<std::string>{"x.1", "x.2", "y.1"}));
  ASSERT_EQ(ckpt.files().size(), 2u);
  ASSERT_EQ(ckpt.numShards(), 2u);
  const TensorView *y = ckpt.find("y.1");
  ASSERT_NE(y, nullptr);
  EXPECT_NE(ckpt.fileOf(*y).find("model-00002-of-00002.safetensors"),
            std::string::npos);
  const TensorView *x2 = ckpt.find("x.2");
  ASSERT_NE(x2, nullptr);
  EXPECT_NE(ckpt.fileOf(*x2).find("model-00001-of-00002.safetensors"),
            std::string::npos);
  EXPECT_EQ(x2->data[1], 3);
  // A view that is not from this checkpoint.
  TensorView foreign = *x2;
  EXPECT_FACET_ERROR(ckpt.fileOf(foreign), "does not belong");
}

TEST(Checkpoint, SingleFileWinsOverIndex) {
  TempDir dir;
  dir.write("model.safetensors", shardWith({"only"}));
  dir.write("model.safetensors.index.json", std::string_view("garbage"));
  CheckpointFiles ckpt = CheckpointFiles::open(dir.path());
  EXPECT_NE(ckpt.find("only"), nullptr);
}

TEST(CheckpointError, ShardMissing) {
  TempDir dir;
  dir.write("a.safetensors", shardWith({"t1"}));
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t1": "a.safetensors",
                                   "t2": "b.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()),
                     "model.safetensors.index.json", "'b.safetensors'",
                     "does not exist");
}

TEST(CheckpointError, TensorListedButAbsent) {
  TempDir dir;
  dir.write("a.safetensors", shardWith({"t1"}));
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t1": "a.safetensors",
                                   "t2": "a.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'t2'", "a.safetensors",
                     "no such tensor");
}

TEST(CheckpointError, TensorInAnotherShard) {
  TempDir dir;
  dir.write("a.safetensors", shardWith({"t1"}));
  dir.write("b.safetensors", shardWith({"t2"}));
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t1": "b.safetensors",
                                   "t2": "b.safetensors",
                                   "t3": "a.safetensors"}})"));
  // t3 is missing from a.safetensors and t1 is in the wrong shard; the first
  // problem in name order is t1.
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'t1'",
                     "stored in b.safetensors", "but it is in");
}

TEST(CheckpointError, TensorInTwoShards) {
  TempDir dir;
  dir.write("a.safetensors", shardWith({"t1", "dup"}));
  dir.write("b.safetensors", shardWith({"dup"}));
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t1": "a.safetensors",
                                   "dup": "b.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'dup'", "two shards",
                     "a.safetensors", "b.safetensors");
}

TEST(CheckpointError, PathTraversal) {
  TempDir dir;
  dir.write("sub/a.safetensors", shardWith({"t"}));
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": "../a.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'../a.safetensors'",
                     "path separator");
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": "/etc/passwd"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'/etc/passwd'",
                     "path separator");
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": ".."}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "'..'",
                     "directory reference");
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": "sub\\a.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "path separator");
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": ""}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "is empty");
}

TEST(CheckpointError, NeitherFilePresent) {
  TempDir dir;
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), dir.path(),
                     "model.safetensors", "model.safetensors.index.json",
                     "found neither");
}

TEST(CheckpointError, NotADirectory) {
  TempDir dir;
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path() + "/missing"),
                     "does not exist");
  std::string file = dir.write("file", std::string_view("x"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(file), "not a directory");
}

TEST(CheckpointError, BadIndex) {
  EXPECT_FACET_ERROR(parseCheckpointIndex("[]", "idx.json"), "idx.json",
                     "index is a JSON array");
  EXPECT_FACET_ERROR(parseCheckpointIndex("{}", "idx.json"),
                     "missing required field 'weight_map'");
  EXPECT_FACET_ERROR(parseCheckpointIndex(R"({"weight_map": []})", "i"),
                     "weight_map is a JSON array");
  EXPECT_FACET_ERROR(parseCheckpointIndex(R"({"weight_map": {"t": 3}})", "i"),
                     "weight_map entry 't'", "JSON integer");
  EXPECT_FACET_ERROR(parseCheckpointIndex(R"({"weight_map": {}})", "i"),
                     "weight_map is empty");
  EXPECT_FACET_ERROR(parseCheckpointIndex(R"({"weight_map": {"t": "a",)"
                                          R"( "t": "b"}})",
                                          "i"),
                     "duplicate", "'t'");
  EXPECT_FACET_ERROR(parseCheckpointIndex("{", "i"), "invalid JSON");
}

TEST(CheckpointError, BadShard) {
  TempDir dir;
  dir.write("a.safetensors", Bytes{1, 2, 3});
  dir.write("model.safetensors.index.json",
            std::string_view(R"({"weight_map": {"t": "a.safetensors"}})"));
  EXPECT_FACET_ERROR(CheckpointFiles::open(dir.path()), "a.safetensors",
                     "too short");
}
