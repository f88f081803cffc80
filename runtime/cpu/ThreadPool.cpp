//===- ThreadPool.cpp - A small fixed pool of host threads ----------------===//
//
// Part of Facet, an ahead-of-time compiler for Gemma 4 language models.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/ThreadPool.h"

namespace facet::runtime {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i)
    workers.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

/// Claims and runs tasks of the current job until none is left. `lock`
/// holds `mutex` on entry and on return.
void ThreadPool::runTasks(std::unique_lock<std::mutex> &lock) {
  while (job && nextTask < jobCount) {
    uint64_t task = nextTask++;
    const std::function<void(uint64_t)> *body = job;
    lock.unlock();
    std::exception_ptr error;
    try {
      (*body)(task);
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    if (error && !failure)
      failure = error;
    if (++finishedTasks == jobCount)
      done.notify_all();
  }
}

void ThreadPool::workerLoop() {
  std::unique_lock<std::mutex> lock(mutex);
  uint64_t seen = generation;
  for (;;) {
    wake.wait(lock, [&] { return stopping || generation != seen; });
    if (stopping)
      return;
    seen = generation;
    runTasks(lock);
  }
}

void ThreadPool::parallelFor(uint64_t count,
                             const std::function<void(uint64_t)> &body) {
  if (count == 0)
    return;
  if (workers.empty() || count == 1) {
    for (uint64_t i = 0; i < count; ++i)
      body(i);
    return;
  }
  std::unique_lock<std::mutex> lock(mutex);
  job = &body;
  jobCount = count;
  nextTask = 0;
  finishedTasks = 0;
  failure = nullptr;
  ++generation;
  wake.notify_all();
  runTasks(lock);
  done.wait(lock, [&] { return finishedTasks == jobCount; });
  job = nullptr;
  std::exception_ptr error = failure;
  failure = nullptr;
  lock.unlock();
  if (error)
    std::rethrow_exception(error);
}

} // namespace facet::runtime
