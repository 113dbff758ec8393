#pragma once
// Strong types for the integers that must never be swapped: offsets, epochs,
// partition and broker ids (Redpanda's named_type).
#include <cstdint>
#include <functional>
#include <ostream>

namespace brook::runtime {

template <class T, class Tag>
class named_type {
 public:
  using value_type = T;
  constexpr named_type() = default;
  constexpr explicit named_type(T v) : v_(v) {}
  constexpr T value() const { return v_; }

  constexpr bool operator==(named_type o) const { return v_ == o.v_; }
  constexpr bool operator!=(named_type o) const { return v_ != o.v_; }
  constexpr bool operator<(named_type o) const { return v_ < o.v_; }
  constexpr bool operator<=(named_type o) const { return v_ <= o.v_; }
  constexpr bool operator>(named_type o) const { return v_ > o.v_; }
  constexpr bool operator>=(named_type o) const { return v_ >= o.v_; }
  constexpr named_type operator+(T d) const { return named_type(v_ + d); }
  constexpr named_type operator-(T d) const { return named_type(v_ - d); }
  named_type& operator++() {
    ++v_;
    return *this;
  }
  friend std::ostream& operator<<(std::ostream& os, named_type x) { return os << x.v_; }

 private:
  T v_{};
};

/// Position of a record in a partition's log.
using offset = named_type<int64_t, struct offset_tag>;
/// Leader epoch of a partition (bumped at every leader election).
using leader_epoch = named_type<int32_t, struct leader_epoch_tag>;
using partition_id = named_type<int32_t, struct partition_id_tag>;
using broker_id = named_type<int32_t, struct broker_id_tag>;

}  // namespace brook::runtime

template <class T, class Tag>
struct std::hash<brook::runtime::named_type<T, Tag>> {
  size_t operator()(brook::runtime::named_type<T, Tag> x) const { return std::hash<T>{}(x.value()); }
};
