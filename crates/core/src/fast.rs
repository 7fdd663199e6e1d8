//! Hash maps for the hot paths (column look-ups per cell, key indexes over
//! a million rows). foldhash is several times faster than the default
//! SipHash; nothing here needs protection against crafted collisions worse
//! than a slow run, and no output depends on iteration order.

/// A `HashMap` with foldhash.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// A `HashSet` with foldhash.
pub type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
