#pragma once
// INSPEKT_UNDER_SANITIZER: this build runs under ASan or TSan, whose quarantine and
// shadow memory grow the resident set by themselves, so tests that measure the mock's
// memory leave that check out. gcc says so with __SANITIZE_ADDRESS__ and
// __SANITIZE_THREAD__, clang with __has_feature.

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define INSPEKT_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define INSPEKT_UNDER_SANITIZER 1
#endif
#endif
