//! A map that snapshots share.
//!
//! Cloning a [`SharedMap`] costs one reference count; changing one copies
//! the map's nodes (not its values, which are reference-counted too) only
//! while another snapshot still holds it. Reading is a plain `BTreeMap`
//! lookup. The contest keeps its bulk collections (participants and their
//! attendance, 100,000 each in a large contest) in these: they change
//! rarely, are read constantly, and must load fast.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::ops::RangeBounds;
use std::sync::Arc;

#[derive(Debug)]
pub struct SharedMap<K, V>(Arc<BTreeMap<K, Arc<V>>>);

impl<K, V> Clone for SharedMap<K, V> {
    fn clone(&self) -> Self {
        SharedMap(self.0.clone())
    }
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap(Arc::new(BTreeMap::new()))
    }
}

impl<K: Ord + Clone, V> SharedMap<K, V> {
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.get(key).map(|v| &**v)
    }

    /// The shared value itself, to keep without copying it.
    pub fn get_shared<Q>(&self, key: &Q) -> Option<&Arc<V>>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.get(key)
    }

    pub fn contains_key<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.contains_key(key)
    }

    pub fn insert(&mut self, key: K, value: V) {
        Arc::make_mut(&mut self.0).insert(key, Arc::new(value));
    }

    pub fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        if self.0.contains_key(key) {
            Arc::make_mut(&mut self.0).remove(key);
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> {
        self.0.keys()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> {
        self.0.values().map(|v| &**v)
    }

    /// The values as the shared pointers they are kept in.
    pub fn shared_values(&self) -> impl DoubleEndedIterator<Item = &Arc<V>> {
        self.0.values()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, &**v))
    }

    pub fn range<Q, R>(&self, range: R) -> impl DoubleEndedIterator<Item = (&K, &V)>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
        R: RangeBounds<Q>,
    {
        self.0.range(range).map(|(k, v)| (k, &**v))
    }

    /// Whether both are the same map, unchanged: what caches compare.
    pub fn ptr_eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl<K: Ord + Clone, V> FromIterator<(K, V)> for SharedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        SharedMap(Arc::new(
            iter.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
        ))
    }
}

impl<K, V, Q> std::ops::Index<&Q> for SharedMap<K, V>
where
    K: Ord + Clone + Borrow<Q>,
    Q: Ord + ?Sized,
{
    type Output = V;

    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for the key")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_do_not_see_later_changes() {
        let mut a: SharedMap<String, u32> = [("x".to_string(), 1)].into_iter().collect();
        let snapshot = a.clone();
        assert!(a.ptr_eq(&snapshot));
        a.insert("y".into(), 2);
        assert!(!a.ptr_eq(&snapshot));
        assert_eq!(snapshot.len(), 1);
        assert_eq!(a.len(), 2);
        assert_eq!(a["y"], 2);
        a.remove("x");
        assert_eq!(snapshot["x"], 1);
        assert!(a.get("x").is_none());
    }
}
