#pragma once
// A cpp-httplib task queue that starts a thread only when every existing one is busy,
// up to a bound. cpp-httplib serves a connection on one thread for its whole keep-alive
// life, so a fixed small pool lets a few idle or slow connections starve the rest;
// a large fixed pool costs memory and start time for nothing.

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace inspekt::mock::detail {

class ElasticThreadPool : public httplib::TaskQueue {
public:
  explicit ElasticThreadPool(std::size_t max_threads) : max_threads_(max_threads) {}
  ~ElasticThreadPool() override { shutdown(); }

  void enqueue(std::function<void()> job) override {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(job));
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
    } else {
      ready_.notify_one();
    }
  }

  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) {
        return;
      }
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto &thread : threads_) {
      thread.join();
    }
  }

private:
  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      ++idle_;
      ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      --idle_;
      if (jobs_.empty()) {
        return; // stopping, and nothing left to serve
      }
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

} // namespace inspekt::mock::detail
