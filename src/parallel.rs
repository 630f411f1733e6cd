//! Work split over two threads when the input is large: the callers (the
//! search index, the service) parallelise, so that the domain stays
//! single-threaded and pure.

use std::ops::Range;

/// Below this many items the work runs on the calling thread alone.
pub const FROM: usize = 20_000;

/// `work` over `0..n`: for `n` of at least [`FROM`], each half on its own
/// thread; the results in order.
pub fn halves<T: Send>(n: usize, work: impl Fn(Range<usize>) -> Vec<T> + Sync) -> Vec<T> {
    if n < FROM {
        return work(0..n);
    }
    let mid = n / 2;
    std::thread::scope(|s| {
        let other = s.spawn(|| work(mid..n));
        let mut mine = work(0..mid);
        mine.extend(other.join().expect("a worker thread does not panic"));
        mine
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_halves_come_back_in_order() {
        for n in [0, 5, super::FROM + 3] {
            let out = super::halves(n, |r| r.collect::<Vec<_>>());
            assert_eq!(out, (0..n).collect::<Vec<_>>());
        }
    }
}
