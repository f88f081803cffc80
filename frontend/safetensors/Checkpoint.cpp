//===- Checkpoint.cpp - The safetensors files of an HF checkpoint ---------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "frontend/safetensors/Checkpoint.h"
#include "frontend/support/Error.h"
#include "frontend/support/Json.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <sys/stat.h>

using nlohmann::json;

namespace facet {

namespace {

enum class PathKind { Missing, File, Directory, Other };

PathKind pathKind(const std::string &path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return PathKind::Missing;
  if (S_ISREG(st.st_mode))
    return PathKind::File;
  if (S_ISDIR(st.st_mode))
    return PathKind::Directory;
  return PathKind::Other;
}

std::string joinPath(const std::string &dir, const std::string &name) {
  if (dir.empty())
    return name;
  if (dir.back() == '/')
    return dir + name;
  return dir + "/" + name;
}

std::string readWholeFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad())
    throw Error(fmt::format("{}: read error", path));
  return contents.str();
}

/// Why `name` is not a plain file name inside the directory, or "".
std::string badShardName(const std::string &name) {
  if (name.empty())
    return "is empty";
  if (name == "." || name == "..")
    return "is a directory reference";
  if (name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos)
    return "contains a path separator (shards must be plain file names in the "
           "checkpoint directory)";
  if (name.find('\0') != std::string::npos)
    return "contains a NUL byte";
  return "";
}

} // namespace

std::vector<std::string> CheckpointIndex::shardNames() const {
  std::set<std::string> names;
  for (const auto &entry : weightMap)
    names.insert(entry.second);
  return {names.begin(), names.end()};
}

CheckpointIndex parseCheckpointIndex(std::string_view jsonText,
                                     const std::string &origin) {
  JsonParseOptions options;
  options.rejectDuplicateKeys = true;
  options.maxArrayLength = 1 << 16;
  json root = parseJson(jsonText, origin, options);
  if (!root.is_object())
    throw Error(fmt::format("{}: index is a JSON {}, expected an object with "
                            "a \"weight_map\"",
                            origin, jsonTypeName(root)));
  auto it = root.find("weight_map");
  if (it == root.end())
    throw Error(fmt::format("{}: missing required field 'weight_map'", origin));
  if (!it->is_object())
    throw Error(fmt::format("{}: weight_map is a JSON {}, expected an object "
                            "of tensor name -> shard file name",
                            origin, jsonTypeName(*it)));
  CheckpointIndex index;
  for (const auto &item : it->items()) {
    if (!item.value().is_string())
      throw Error(fmt::format("{}: weight_map entry {} is a JSON {}, expected "
                              "a shard file name (string)",
                              origin, quoteForMessage(item.key()),
                              jsonTypeName(item.value())));
    const auto &shard = item.value().get_ref<const std::string &>();
    std::string problem = badShardName(shard);
    if (!problem.empty())
      throw Error(fmt::format("{}: weight_map entry {}: shard file name {} {}",
                              origin, quoteForMessage(item.key()),
                              quoteForMessage(shard), problem));
    index.weightMap.emplace(item.key(), shard);
  }
  if (index.weightMap.empty())
    throw Error(fmt::format("{}: weight_map is empty (expected tensor name -> "
                            "shard file name entries)",
                            origin));
  return index;
}

CheckpointFiles::~CheckpointFiles() = default;

void CheckpointFiles::addShard(std::unique_ptr<SafetensorsFile> file) {
  size_t shardIndex = shards_.size();
  for (const TensorView &view : file->tensors()) {
    auto [it, inserted] =
        byName_.emplace(view.name, Location{shardIndex, &view});
    if (!inserted)
      throw Error(fmt::format("{}: tensor {} appears in two shards: {} and {}",
                              dir_, quoteForMessage(view.name),
                              shards_[it->second.shard]->origin(),
                              file->origin()));
  }
  shards_.push_back(std::move(file));
}

CheckpointFiles CheckpointFiles::open(const std::string &dir) {
  CheckpointFiles checkpoint;
  checkpoint.dir_ = dir;

  PathKind dirKind = pathKind(dir);
  if (dirKind == PathKind::Missing)
    throw Error(fmt::format("{}: checkpoint directory does not exist", dir));
  if (dirKind != PathKind::Directory)
    throw Error(fmt::format("{}: not a directory (expected a checkpoint "
                            "directory holding {} or {})",
                            dir, kSingleFileName, kIndexFileName));

  std::string singlePath = joinPath(dir, kSingleFileName);
  std::string indexPath = joinPath(dir, kIndexFileName);
  PathKind singleKind = pathKind(singlePath);
  PathKind indexKind = pathKind(indexPath);

  if (singleKind == PathKind::File) {
    checkpoint.addShard(SafetensorsFile::open(singlePath));
    return checkpoint;
  }
  if (indexKind != PathKind::File)
    throw Error(fmt::format("{}: no safetensors checkpoint: looked for {} and "
                            "{}, found neither",
                            dir, kSingleFileName, kIndexFileName));

  checkpoint.sharded_ = true;
  CheckpointIndex index =
      parseCheckpointIndex(readWholeFile(indexPath), indexPath);
  for (const std::string &shardName : index.shardNames()) {
    std::string shardPath = joinPath(dir, shardName);
    PathKind kind = pathKind(shardPath);
    if (kind == PathKind::Missing)
      throw Error(fmt::format("{}: shard {} named in weight_map does not "
                              "exist (expected {})",
                              indexPath, quoteForMessage(shardName),
                              shardPath));
    if (kind != PathKind::File)
      throw Error(fmt::format("{}: shard {} is not a regular file", indexPath,
                              shardPath));
    checkpoint.addShard(SafetensorsFile::open(shardPath));
  }

  for (const auto &[tensorName, shardName] : index.weightMap) {
    auto it = checkpoint.byName_.find(tensorName);
    std::string expectedPath = joinPath(dir, shardName);
    if (it == checkpoint.byName_.end())
      throw Error(fmt::format("{}: tensor {} is listed in weight_map as "
                              "stored in {}, but that shard has no such "
                              "tensor",
                              indexPath, quoteForMessage(tensorName),
                              shardName));
    const std::string &actual = checkpoint.shards_[it->second.shard]->origin();
    if (actual != expectedPath)
      throw Error(fmt::format("{}: tensor {} is listed in weight_map as "
                              "stored in {}, but it is in {}",
                              indexPath, quoteForMessage(tensorName), shardName,
                              actual));
  }
  return checkpoint;
}

const TensorView *CheckpointFiles::find(std::string_view name) const {
  auto it = byName_.find(name);
  return it == byName_.end() ? nullptr : it->second.view;
}

std::vector<std::string> CheckpointFiles::tensorNames() const {
  std::vector<std::string> names;
  names.reserve(byName_.size());
  for (const auto &entry : byName_)
    names.push_back(entry.first); // std::map: already sorted
  return names;
}

std::vector<std::string> CheckpointFiles::files() const {
  std::vector<std::string> paths;
  paths.reserve(shards_.size());
  for (const auto &shard : shards_)
    paths.push_back(shard->origin());
  return paths;
}

const std::string &CheckpointFiles::fileOf(const TensorView &view) const {
  auto it = byName_.find(view.name);
  if (it == byName_.end() || it->second.view != &view)
    throw Error(fmt::format("{}: tensor {} does not belong to this checkpoint",
                            dir_, quoteForMessage(view.name)));
  return shards_[it->second.shard]->origin();
}

} // namespace facet
