#include "inspekt/mock/control/mock_runtime.hpp"

#include "inspekt/core/secrets.hpp"
#include "inspekt/mock/fixtures/fixture_error.hpp"
#include "inspekt/mock/fixtures/fixture_loader.hpp"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace inspekt::mock {
namespace {

// What build() throws when the runtime's changes do not fit a set.
struct Refused {
  RuntimeRefusal refusal;
};

// The file name runtime keys are checked under, in their error messages.
const std::string runtime_keys_origin = "POST /__admin/keys";

// "/quota/limit" -> "quota.limit": the field at fault, as the admin API names it.
std::string field_of(const std::string &where) {
  if (where.empty() || where.front() != '/') {
    return "";
  }
  std::string field = where.substr(1);
  std::replace(field.begin(), field.end(), '/', '.');
  return field;
}

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

} // namespace

MockRuntime::MockRuntime(RuntimeOptions options)
    : MockRuntime(load_fixtures(options.source), options) {}

MockRuntime::MockRuntime(FixtureSet fixtures, RuntimeOptions options)
    : options_(std::move(options)), state_(std::make_shared<MockState>(options_.determinism)),
      journal_(std::make_unique<Journal>(options_.journal_size)),
      started_(std::chrono::steady_clock::now()),
      base_(std::make_shared<const FixtureSet>(std::move(fixtures))) {
  current_ = build(base_);
}

std::shared_ptr<const AuthHandler> MockRuntime::handler() const {
  return std::atomic_load(&current_);
}

KeyListing MockRuntime::keys() const {
  std::lock_guard<std::mutex> lock(writer_); // the set and the lists it was built from
  KeyListing listing;
  listing.set = std::atomic_load(&current_);
  const auto &keys = listing.set->fixtures().keys;
  // build() lists the loaded keys first, then the runtime keys, then the revoked keys
  // no set listed.
  const std::size_t loaded = base_->keys.size();
  const std::unordered_set<std::string> revoked(revoked_.begin(), revoked_.end());
  listing.sources.reserve(keys.size());
  listing.revoked.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    listing.sources.push_back(i < loaded                          ? KeySource::fixtures
                              : i < loaded + runtime_keys_.size() ? KeySource::runtime
                                                                  : KeySource::revocation);
    listing.revoked.push_back(!revoked.empty() && revoked.count(keys[i].key) > 0);
  }
  return listing;
}

std::shared_ptr<const AuthHandler>
MockRuntime::build(const std::shared_ptr<const FixtureSet> &base) const {
  if (runtime_keys_.empty() && revoked_.empty()) {
    return std::make_shared<const AuthHandler>(base, state_, options_.prefer, options_.uploads);
  }
  FixtureSet set = *base;
  {
    std::unordered_map<std::string, std::size_t> listed;
    listed.reserve(set.keys.size() + runtime_keys_.size() + revoked_.size());
    for (std::size_t i = 0; i < set.keys.size(); ++i) {
      listed.emplace(set.keys[i].key, i);
    }
    for (std::size_t i = 0; i < runtime_keys_.size(); ++i) {
      ApiKeyEntry entry;
      try {
        entry = parse_key_entry(runtime_keys_[i], set, runtime_keys_origin, "");
      } catch (const FixtureError &e) {
        throw Refused{{422, std::string("runtime key: ") + e.what(), e.id(), field_of(e.where())}};
      }
      if (!listed.emplace(entry.key, set.keys.size()).second) {
        throw Refused{
            {409, "the key \"" + key_hint(entry.key) + "\" is already in the fixtures", "", "key"}};
      }
      set.keys.push_back(std::move(entry));
    }
    if (!revoked_.empty()) {
      const auto revoked_answer = set.find_answer(Outcome::revoked_key);
      if (!revoked_answer) {
        throw Refused{{409,
                       "revoking a key needs the answer revoked_key, which responses.json does "
                       "not define",
                       "", "key"}};
      }
      for (const auto &key : revoked_) {
        const auto it = listed.find(key);
        ApiKeyEntry revoked;
        revoked.key = key;
        revoked.answer = *revoked_answer;
        if (it == listed.end()) {
          listed.emplace(key, set.keys.size());
          set.keys.push_back(std::move(revoked));
        } else {
          // Revoked is revoked: no delay, fault, quota or chaos of the key's any more.
          revoked.label = set.keys[it->second].label;
          set.keys[it->second] = std::move(revoked);
        }
      }
    }
  }
  return std::make_shared<const AuthHandler>(std::make_shared<const FixtureSet>(std::move(set)),
                                             state_, options_.prefer, options_.uploads);
}

std::shared_ptr<const AuthHandler> MockRuntime::swap_in(std::shared_ptr<const AuthHandler> next) {
  return std::atomic_exchange(&current_, std::move(next));
}

void MockRuntime::release(std::shared_ptr<const AuthHandler> old) {
  // A request holds the set only while it is answered (microseconds): wait for the last
  // one, so that the old set (100,000 keys: tens of ms to free) is freed here, beside
  // the event loops, and not by one of them. A large set leaves tens of MiB of freed
  // heap behind (its JSON tree, the old set): give it back, as at start.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (old.use_count() > 1) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ++sets_left_held_;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  old.reset();
  malloc_trim(0);
}

RuntimeResult<AddedKey> MockRuntime::add_key(const nlohmann::json &entry) {
  RuntimeResult<AddedKey> result;
  std::lock_guard<std::mutex> lock(writer_);
  auto current = handler();
  ApiKeyEntry parsed;
  try {
    parsed = parse_key_entry(entry, current->fixtures(), runtime_keys_origin, "");
  } catch (const FixtureError &e) {
    result.refusal = {400, e.what(), e.id(), field_of(e.where())};
    return result;
  }
  if (current->find_key(parsed.key) != nullptr) {
    result.refusal = {409, "the key \"" + key_hint(parsed.key) + "\" is already known", "", "key"};
    return result;
  }
  runtime_keys_.push_back(entry);
  try {
    auto next = build(base_);
    AddedKey added{key_hint(parsed.key), current->fixtures().name_of(parsed.answer),
                   next->fixtures().keys.size()};
    current.reset(); // swap_in returns the same set: release() must hold it alone
    release(swap_in(std::move(next)));
    result.value = std::move(added);
  } catch (const Refused &refused) {
    runtime_keys_.pop_back();
    result.refusal = refused.refusal;
  }
  return result;
}

RuntimeResult<Revoked> MockRuntime::revoke(const std::string &key) {
  RuntimeResult<Revoked> result;
  std::lock_guard<std::mutex> lock(writer_);
  const bool known = handler()->find_key(key) != nullptr;
  Revoked revoked{key_hint(key), known};
  const bool fresh = std::find(revoked_.begin(), revoked_.end(), key) == revoked_.end();
  if (fresh) {
    revoked_.push_back(key);
  }
  try {
    release(swap_in(build(base_)));
    // Its tokens too, once logins with it are refused: release() waited for the logins
    // still on the replaced set, so every token issued for the key is written down by now.
    state_->revocations.revoke_key(key_digest(key));
    result.value = std::move(revoked);
  } catch (const Refused &refused) {
    if (fresh) {
      revoked_.pop_back();
    }
    result.refusal = refused.refusal;
  }
  return result;
}

TokenRevocations::Revoked MockRuntime::revoke_session(const std::string &session) {
  return state_->revocations.revoke_session(session);
}

RuntimeResult<Reloaded> MockRuntime::reload() {
  RuntimeResult<Reloaded> result;
  std::lock_guard<std::mutex> lock(writer_);
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const AuthHandler> next;
  std::shared_ptr<const FixtureSet> loaded;
  try {
    loaded = std::make_shared<const FixtureSet>(load_fixtures(options_.source));
    next = build(loaded);
  } catch (const FixtureError &e) {
    result.refusal = {422, e.what(), e.id(), ""};
    return result;
  } catch (const Refused &refused) {
    result.refusal = refused.refusal;
    result.refusal.status = 422; // the new set cannot carry today's runtime changes
    return result;
  }
  Reloaded reloaded;
  reloaded.origin = loaded->origin;
  reloaded.keys = next->fixtures().keys.size();
  reloaded.load_ms = milliseconds_since(start);
  const auto swap_start = std::chrono::steady_clock::now();
  auto old = swap_in(std::move(next));
  reloaded.swap_ms = milliseconds_since(swap_start);
  base_ = std::move(loaded);
  release(std::move(old));
  result.value = std::move(reloaded);
  return result;
}

void MockRuntime::reset() {
  std::lock_guard<std::mutex> lock(writer_);
  runtime_keys_.clear();
  revoked_.clear();
  state_->quotas.clear();
  state_->revocations.clear();
  state_->clock.reset();
  // The --seed sequences from their start, then a handler built as at start (its session
  // id generator draws its key from them): the first logins after a reset get the ids
  // and tokens the first logins after a fresh start got.
  state_->entropy.restart();
  state_->chaos.restart();
  journal_->clear();
  release(swap_in(build(base_)));
}

} // namespace inspekt::mock
