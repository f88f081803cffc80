//===- Checkpoint.h - The safetensors files of an HF checkpoint -*- C++ -*-===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//
//
// A Hugging Face checkpoint directory stores its weights either in a single
// `model.safetensors` or in shards listed by `model.safetensors.index.json`:
//
//   {"metadata": {...}, "weight_map": {"tensor.name":
//   "model-00001-of-2.safetensors", ...}}
//
// CheckpointFiles opens whichever is present (the single file wins if both
// are, as in transformers), validates the index against the shards, and
// gives one name -> tensor lookup across all files.
//
//===----------------------------------------------------------------------===//

#ifndef FACET_FRONTEND_SAFETENSORS_CHECKPOINT_H
#define FACET_FRONTEND_SAFETENSORS_CHECKPOINT_H

#include "frontend/safetensors/Safetensors.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace facet {

/// The parsed `model.safetensors.index.json`: tensor name -> shard file name
/// (a plain name inside the checkpoint directory).
struct CheckpointIndex {
  std::map<std::string, std::string> weightMap;
  /// The distinct shard names, sorted.
  std::vector<std::string> shardNames() const;
};

/// Parses and validates the text of an index file: a JSON object with a
/// "weight_map" object of string values, each a plain file name (no '/',
/// '\\', NUL, "." or "..", not empty). `origin` names the file in messages.
CheckpointIndex parseCheckpointIndex(std::string_view jsonText,
                                     const std::string &origin);

class CheckpointFiles {
public:
  static constexpr const char *kSingleFileName = "model.safetensors";
  static constexpr const char *kIndexFileName = "model.safetensors.index.json";

  /// Opens the checkpoint in directory `dir`. Throws facet::Error naming
  /// both file names if neither exists, and for any invalid file.
  static CheckpointFiles open(const std::string &dir);

  CheckpointFiles(CheckpointFiles &&) noexcept = default;
  CheckpointFiles &operator=(CheckpointFiles &&) noexcept = default;
  CheckpointFiles(const CheckpointFiles &) = delete;
  CheckpointFiles &operator=(const CheckpointFiles &) = delete;
  ~CheckpointFiles();

  /// The tensor called `name` in any shard, or nullptr.
  const TensorView *find(std::string_view name) const;
  /// Every tensor name of every shard, sorted.
  std::vector<std::string> tensorNames() const;
  /// The paths of the safetensors files, in index order (sorted shard names)
  /// or the single file.
  std::vector<std::string> files() const;
  /// The checkpoint directory as given to open().
  const std::string &dir() const { return dir_; }
  /// True if the checkpoint came with an index file.
  bool sharded() const { return sharded_; }
  /// The path of the file that holds `view` (which must come from find() or
  /// shard(i).tensors()); throws facet::Error otherwise.
  const std::string &fileOf(const TensorView &view) const;
  /// The opened files, in files() order.
  size_t numShards() const { return shards_.size(); }
  const SafetensorsFile &shard(size_t i) const { return *shards_.at(i); }

private:
  CheckpointFiles() = default;
  void addShard(std::unique_ptr<SafetensorsFile> file);

  std::string dir_;
  bool sharded_ = false;
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  struct Location {
    size_t shard;
    const TensorView *view;
  };
  std::map<std::string, Location, std::less<>> byName_;
};

} // namespace facet

#endif // FACET_FRONTEND_SAFETENSORS_CHECKPOINT_H
