//! Interned text: every id (and every response's reason) is held once per
//! process and named by a 4-byte symbol.
//!
//! At national scale tens of millions of responses each carry an advert id,
//! an applicant id, an employee and a reason; as inline strings those took
//! 88 of a response's 128 bytes, and comparing them was a seventh of the
//! run's time. A symbol compares and hashes as an integer. Ordering compares
//! the text, so every sorted output is what it was with strings.
//!
//! The pool only grows: a process audits one export (a test run a few small
//! ones), and its texts live as long as the records that name them. It is
//! shared by every thread, since rows are parsed on every core.

use std::cell::Cell;
use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};

/// A symbol for a text in the process's pool.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sym(NonZeroU32);

/// Index shards: rows are parsed on every core, and one lock over the whole
/// index made the cores queue for it (a third of a run's time).
const SHARDS: usize = 64;
/// Entries of each thread's cache of recent symbols.
const RECENT: usize = 512;
/// Size of the first slab of texts; slab `k` holds `FIRST << k`.
const FIRST: usize = 1024;
/// Slabs enough for every `u32` symbol.
const SLABS: usize = 23;

/// Texts up to this many bytes are held in the index slot itself (ids are
/// mostly shorter: `ADV-2025-0001` is 13).
const INLINE: usize = 15;
/// The length byte of a [`Key`] of a text longer than [`INLINE`].
const LONG: u8 = u8::MAX;

/// A text as an index slot holds it: its length, then the text padded with
/// zeros when it fits in [`INLINE`] bytes; else [`LONG`] and zeros. Two
/// short texts are equal exactly when their keys are, so a look-up compares
/// 16 bytes as one integer (a call to `memcmp` per probe was a twentieth of
/// a national run).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Key(u128);

impl Key {
    fn of(text: &str) -> Key {
        let mut bytes = [0u8; INLINE + 1];
        match bytes.get_mut(1..=text.len()) {
            Some(inline) => {
                inline.copy_from_slice(text.as_bytes());
                bytes[0] = text.len() as u8;
            }
            None => bytes[0] = LONG,
        }
        Key(u128::from_ne_bytes(bytes))
    }

    fn is_long(self) -> bool {
        self.0.to_ne_bytes()[0] == LONG
    }
}

/// An index slot of 24 bytes: a look-up of an id reads one cache line (the
/// hash, the symbol and the text side by side), where a hash map kept its
/// entries apart from their tags and missed the cache more often, for each
/// of tens of millions of rows (two fifths of reading them).
#[derive(Clone, Copy)]
#[repr(C)]
struct Slot {
    /// The low half of the text's hash: where the slot's probe starts, and
    /// a tag that rules out nearly every other text without reading it.
    hash: u32,
    /// The symbol's number; 0 for an empty slot.
    sym: u32,
    /// The text's [`Key`], in bytes so that the slot needs no 16-byte
    /// alignment (24 bytes, not 32).
    key: [u8; INLINE + 1],
}

/// `n` values of a type whose all-zero bytes are a valid (empty) value,
/// from zeroed memory: a large table comes straight from the kernel's zero
/// pages, and the part never used is never touched.
///
/// # Safety
/// All-zero bytes must be a valid `T`, and `T` not zero-sized.
unsafe fn zeroed<T>(n: usize) -> Box<[T]> {
    if n == 0 {
        return Box::default();
    }
    let layout = std::alloc::Layout::array::<T>(n).expect("table size fits memory");
    // SAFETY: the layout is that of `n` > 0 values of a type that is not
    // zero-sized, so not empty; all zeros is a valid `T` (the caller's
    // promise), so the memory holds initialised values, allocated by the
    // global allocator with the layout a boxed slice frees it with.
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout).cast::<T>();
        if ptr.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, n))
    }
}

impl Slot {
    /// No text (symbol 0).
    const EMPTY: Slot = Slot {
        hash: 0,
        sym: 0,
        key: [0; INLINE + 1],
    };

    fn new(key: Key, hash: u32, sym: Sym) -> Slot {
        Slot {
            hash,
            sym: sym.0.get(),
            key: key.0.to_ne_bytes(),
        }
    }

    /// Whether the slot holds `text` (of hash `hash` and key `key`).
    fn holds(&self, text: &str, key: Key, hash: u32) -> bool {
        if self.hash != hash || Key(u128::from_ne_bytes(self.key)) != key {
            return false;
        }
        !key.is_long() || NonZeroU32::new(self.sym).is_some_and(|n| Sym(n).as_str() == text)
    }
}

/// One shard's index: open addressing with linear probing over a power of
/// two of slots, at most four fifths full (fuller makes the probes long,
/// emptier costs memory: a national export interns over a million ids).
#[derive(Default)]
struct Index {
    slots: Box<[Slot]>,
    len: usize,
}

impl Index {
    fn find(&self, text: &str, key: Key, hash: u32) -> Option<Sym> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = hash as usize & mask;
        loop {
            let slot = &self.slots[i];
            let sym = NonZeroU32::new(slot.sym)?;
            if slot.holds(text, key, hash) {
                return Some(Sym(sym));
            }
            i = (i + 1) & mask;
        }
    }

    /// Starts loading the slot where a text of hash `hash` is looked for
    /// (a hint: it reads nothing and cannot fault).
    fn prefetch(&self, hash: u32) {
        #[cfg(target_arch = "x86_64")]
        if let Some(slot) = self
            .slots
            .get(hash as usize & self.slots.len().saturating_sub(1))
        {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: a prefetch of an address inside a live slot; it has
            // no effect on memory and cannot fault.
            unsafe { _mm_prefetch::<_MM_HINT_T0>((slot as *const Slot).cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = hash;
    }

    /// Adds `text`, which the index does not hold.
    fn insert(&mut self, key: Key, hash: u32, sym: Sym) {
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            let old = std::mem::take(&mut self.slots);
            // Written out, not taken from the kernel's zero pages: every
            // page of an index is written soon (its slots fill at random),
            // and a zero page read first and written later costs a second
            // fault that makes every core flush its address cache (a tenth
            // of reading a million seekers).
            self.slots = vec![Slot::EMPTY; (old.len() * 2).max(64)].into_boxed_slice();
            for slot in old.iter().filter(|s| s.sym != 0) {
                self.place(*slot);
            }
        }
        self.place(Slot::new(key, hash, sym));
        self.len += 1;
    }

    fn place(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let mut i = slot.hash as usize & mask;
        while self.slots[i].sym != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = slot;
    }
}

struct Pool {
    shards: Vec<Shard>,
    /// Symbols handed out so far (taken under a shard's write lock).
    count: AtomicU32,
    /// Text of symbol `n` at position `n - 1`, over slabs that never move
    /// once made: reading a text takes no lock.
    slabs: [OnceLock<Box<[Place]>>; SLABS],
    /// Where the texts themselves are kept.
    arena: Mutex<Arena>,
}

/// Where a symbol's text is, set once: its length, then its address
/// (with release), so that a reader who sees the address sees the length.
/// 16 bytes where a `OnceLock<&str>` took 24, and all zeros while unset,
/// so a slab comes from the kernel's zero pages and its unused tail costs
/// nothing.
struct Place {
    at: AtomicPtr<u8>,
    len: AtomicUsize,
}

impl Place {
    fn set(&self, text: &'static str) {
        self.len.store(text.len(), Ordering::Relaxed);
        self.at.store(text.as_ptr().cast_mut(), Ordering::Release);
    }

    fn get(&self) -> Option<&'static str> {
        let at = self.at.load(Ordering::Acquire);
        if at.is_null() {
            return None;
        }
        let len = self.len.load(Ordering::Relaxed);
        // SAFETY: `at` and `len` were stored by `set` from a `&'static str`
        // (the length before the address, which this load acquired).
        Some(unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(at, len)) })
    }
}

/// Bytes of each block of the text arena.
const BLOCK: usize = 1 << 18;

/// The pool's texts, side by side in blocks that are never freed: a
/// text of its own on the heap took a 32-byte block for an id of 7 bytes
/// (a national export interns 1.6 million).
#[derive(Default)]
struct Arena {
    free: &'static mut [u8],
}

impl Arena {
    fn keep(&mut self, text: &str) -> &'static str {
        if text.len() > BLOCK / 16 {
            return Box::leak(Box::from(text));
        }
        if self.free.len() < text.len() {
            self.free = Box::leak(vec![0u8; BLOCK].into_boxed_slice());
        }
        let (kept, rest) = std::mem::take(&mut self.free).split_at_mut(text.len());
        self.free = rest;
        kept.copy_from_slice(text.as_bytes());
        let kept: &'static [u8] = kept;
        // The bytes were copied from a `str`, so they are UTF-8.
        std::str::from_utf8(kept).unwrap_or_default()
    }
}

/// One hash per text serves the shard, the index and the thread's cache;
/// fixed, so that a text always hashes alike.
fn hash(text: &str) -> u64 {
    foldhash::fast::FixedState::default().hash_one(text)
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        shards: (0..SHARDS).map(|_| Shard::default()).collect(),
        count: AtomicU32::new(0),
        slabs: std::array::from_fn(|_| OnceLock::new()),
        arena: Mutex::default(),
    })
}

thread_local! {
    /// The symbols this thread interned last, by hash: an export repeats an
    /// advert id over its responses and a handful of employees and reasons
    /// over millions of rows, and these skip the shared index (whose shard
    /// would pass its lock's cache line between the cores on every row).
    /// Hash and symbol only, so that a miss (every applicant id of a
    /// response) costs next to nothing: copying texts into the cache on
    /// every miss made interning twice as slow.
    static RECENT_SYMS: [Cell<(u64, u32)>; RECENT] = const { [const { Cell::new((0, 0)) }; RECENT] };
}

/// A shard of the index on cache lines of its own: the read locks of
/// neighbouring shards, taken on every core, would otherwise pass one line
/// back and forth between the cores.
#[repr(align(128))]
#[derive(Default)]
struct Shard {
    index: RwLock<Index>,
}

/// Slab and place in it of position `i`.
fn place(i: usize) -> (usize, usize) {
    let slab = (i / FIRST + 1).ilog2() as usize;
    (slab, i + FIRST - (FIRST << slab))
}

impl Pool {
    fn slot(&self, i: usize) -> Option<&Place> {
        let (slab, at) = place(i);
        let slab = self
            .slabs
            .get(slab)?
            // SAFETY: all zeros is an unset place (a null address).
            .get_or_init(|| unsafe { zeroed(FIRST << slab) });
        slab.get(at)
    }

    /// The symbol of `text` (of hash `h`) from the shared index, adding it
    /// when new.
    fn intern(&self, text: &str, h: u64) -> Sym {
        // The high half picks the shard, the low half the slot.
        let shard = &self.shards[(h >> 32) as usize % SHARDS];
        let low = h as u32;
        let key = Key::of(text);
        // A writer that panicked cannot have left a shard half-written (a
        // text is in its slot before its symbol is in the index), so a
        // poisoned lock is still sound.
        if let Some(sym) = shard
            .index
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .find(text, key, low)
        {
            return sym;
        }
        let mut index = shard.index.write().unwrap_or_else(|e| e.into_inner());
        // Another thread may have added it between the two locks.
        if let Some(sym) = index.find(text, key, low) {
            return sym;
        }
        let i = self.count.fetch_add(1, Ordering::Relaxed) as usize;
        // Four billion distinct texts would take over 64 GiB of text and
        // index before this point: memory runs out long before the count.
        let sym = u32::try_from(i + 1)
            .ok()
            .and_then(NonZeroU32::new)
            .map(Sym)
            .expect("fewer than 2^32 distinct texts");
        let leaked = self
            .arena
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keep(text);
        let set = self.slot(i).map(|slot| slot.set(leaked));
        debug_assert!(set.is_some());
        index.insert(key, low, sym);
        sym
    }
}

impl Sym {
    /// The symbol of `text`, adding it to the pool when new.
    pub fn new(text: &str) -> Sym {
        let h = hash(text);
        let at = (h as usize) % RECENT;
        let cached = RECENT_SYMS.with(|recent| {
            let (eh, n) = recent[at].get();
            NonZeroU32::new(n)
                .map(Sym)
                .filter(|sym| eh == h && sym.as_str() == text)
        });
        if let Some(sym) = cached {
            return sym;
        }
        let sym = pool().intern(text, h);
        RECENT_SYMS.with(|recent| recent[at].set((h, sym.0.get())));
        sym
    }

    /// The symbols of `texts`, in order, adding the new ones: what
    /// [`Sym::new`] gives for each, found shard by shard under one lock of
    /// each shard, with every slot a shard's texts are looked up in
    /// requested from memory before the first is read. A response's
    /// applicant id is a look-up anywhere in an index of millions of texts;
    /// one at a time, taking the shard's lock and waiting for the slot was
    /// a fifth of reading a national export.
    pub fn new_many(texts: &[&str]) -> Vec<Sym> {
        let pool = pool();
        let hashes: Vec<u64> = texts.iter().map(|t| hash(t)).collect();
        let shard_of = |h: u64| (h >> 32) as usize % SHARDS;
        // The texts' positions grouped by shard (a counting sort).
        let mut starts = [0usize; SHARDS + 1];
        for &h in &hashes {
            starts[shard_of(h) + 1] += 1;
        }
        for k in 0..SHARDS {
            starts[k + 1] += starts[k];
        }
        let mut next = starts;
        let mut by_shard = vec![0u32; texts.len()];
        for (i, &h) in hashes.iter().enumerate() {
            let k = shard_of(h);
            by_shard[next[k]] = i as u32;
            next[k] += 1;
        }
        let mut syms: Vec<Option<Sym>> = vec![None; texts.len()];
        for (k, shard) in pool.shards.iter().enumerate() {
            let group = &by_shard[starts[k]..starts[k + 1]];
            if group.is_empty() {
                continue;
            }
            let index = shard.index.read().unwrap_or_else(|e| e.into_inner());
            for &i in group {
                index.prefetch(hashes[i as usize] as u32);
            }
            for &i in group {
                let (text, h) = (texts[i as usize], hashes[i as usize]);
                syms[i as usize] = index.find(text, Key::of(text), h as u32);
            }
        }
        // The texts not in the pool yet, one at a time as `new` adds them.
        syms.into_iter()
            .zip(texts.iter().zip(&hashes))
            .map(|(sym, (text, &h))| sym.unwrap_or_else(|| pool.intern(text, h)))
            .collect()
    }

    /// The symbol's number (at least 1): equal exactly when the texts
    /// are, for grouping without reading the texts.
    pub(crate) fn number(self) -> u32 {
        self.0.get()
    }

    /// Position of the symbol in the order texts were first met.
    fn index(self) -> usize {
        self.0.get() as usize - 1
    }

    /// The text of the symbol.
    pub fn as_str(self) -> &'static str {
        // A symbol exists only after `new` filled its slot, and reached
        // this thread through whatever handed over the record holding it.
        pool()
            .slot(self.index())
            .and_then(Place::get)
            .expect("a symbol's text is set before the symbol exists")
    }
}

/// Values by symbol, in a vector indexed by the symbol's number: a look-up
/// is one read from an array of a few megabytes, where a hash map over a
/// million ids missed the cache twice for each of tens of millions of rows.
/// Symbols made after the map hold no value.
#[derive(Debug)]
pub struct SymMap<V> {
    slots: Vec<Option<V>>,
}

impl<V> Default for SymMap<V> {
    fn default() -> Self {
        SymMap { slots: Vec::new() }
    }
}

impl<V: Copy> SymMap<V> {
    /// The map of `pairs`; of two values for one symbol the last is kept,
    /// as a hash map's `collect` keeps it.
    pub fn new(pairs: impl IntoIterator<Item = (Sym, V)>) -> Self {
        let mut slots: Vec<Option<V>> = Vec::new();
        for (sym, v) in pairs {
            let i = sym.index();
            if i >= slots.len() {
                slots.resize(i + 1, None);
            }
            slots[i] = Some(v);
        }
        SymMap { slots }
    }

    /// The value of `sym`, if any.
    pub fn get(&self, sym: Sym) -> Option<V> {
        self.slots.get(sym.index()).copied().flatten()
    }
}

impl PartialOrd for Sym {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sym {
    /// By text: symbols are numbered in the order texts were first met,
    /// which differs between runs when rows are parsed on several cores.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        self.as_str().cmp(other.as_str())
    }
}

impl std::fmt::Debug for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Sym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Free text held once however many rows repeat it (a response's reason:
/// a handful of phrases over millions of rows).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Sym);

impl Text {
    /// The text.
    pub fn as_str(&self) -> &'static str {
        self.0.as_str()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(Sym::new(s))
    }
}

impl From<Sym> for Text {
    fn from(s: Sym) -> Self {
        Text(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text::from(s.as_str())
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Default for Text {
    /// The empty text.
    fn default() -> Self {
        Text::from("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_symbol_per_text() {
        let a = Sym::new("ADV-intern-1");
        assert_eq!(a, Sym::new("ADV-intern-1"));
        assert_ne!(a, Sym::new("ADV-intern-2"));
        assert_eq!(a.as_str(), "ADV-intern-1");
        assert_eq!(std::mem::size_of::<Option<Sym>>(), 4);
    }

    #[test]
    fn order_is_by_text_not_by_arrival() {
        let late = Sym::new("intern-order-b");
        let early = Sym::new("intern-order-a");
        assert!(early < late);
        let mut v = [Sym::new("intern-order-c"), late, early];
        v.sort();
        let texts: Vec<&str> = v.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            texts,
            ["intern-order-a", "intern-order-b", "intern-order-c"]
        );
    }

    #[test]
    fn sym_map_reads_what_was_put() {
        let a = Sym::new("intern-map-a");
        let b = Sym::new("intern-map-b");
        let map = SymMap::new([(a, 1u32), (a, 2)]);
        assert_eq!(map.get(a), Some(2));
        assert_eq!(map.get(b), None);
        assert_eq!(map.get(Sym::new("intern-map-made-after")), None);
    }

    #[test]
    fn short_and_long_texts_keep_one_symbol_each_as_the_index_grows() {
        // Lengths around the inline limit, and texts that differ only past
        // it, over enough texts to grow every shard several times.
        let texts: Vec<String> = (0..60_000)
            .map(|i| {
                let pad = "x".repeat(i % (INLINE + 8));
                format!("intern-grow-{pad}-{i}")
            })
            .collect();
        let syms: Vec<Sym> = texts.iter().map(|t| Sym::new(t)).collect();
        for (t, &sym) in texts.iter().zip(&syms) {
            assert_eq!(sym.as_str(), t);
            assert_eq!(Sym::new(t), sym);
        }
        let mut distinct = syms.clone();
        distinct.sort_by_key(|s| s.0);
        distinct.dedup();
        assert_eq!(distinct.len(), texts.len());
        assert_eq!(std::mem::size_of::<Slot>(), 24);
        // The empty text and a text of exactly the inline size.
        let empty = Sym::new("");
        assert_eq!(empty.as_str(), "");
        assert_eq!(Sym::new(""), empty);
        let exact = "e".repeat(INLINE);
        assert_eq!(Sym::new(&exact).as_str(), exact);
        assert_ne!(Sym::new(&exact), Sym::new(&"e".repeat(INLINE + 1)));
    }

    #[test]
    fn slabs_cover_every_position() {
        assert_eq!(place(0), (0, 0));
        assert_eq!(place(FIRST - 1), (0, FIRST - 1));
        assert_eq!(place(FIRST), (1, 0));
        assert_eq!(place(3 * FIRST - 1), (1, 2 * FIRST - 1));
        assert_eq!(place(3 * FIRST), (2, 0));
        assert_eq!(place(u32::MAX as usize - 1).0, SLABS - 1);
    }

    #[test]
    fn many_at_once_are_the_symbols_one_at_a_time_gives() {
        // Known and new texts, repeats within the batch, short and long.
        let known: Vec<String> = (0..500).map(|i| format!("many-known-{i}")).collect();
        let before: Vec<Sym> = known.iter().map(|t| Sym::new(t)).collect();
        let mut texts: Vec<String> = known.clone();
        texts.extend((0..500).map(|i| format!("many-new-{i}")));
        texts.extend((0..50).map(|i| format!("many-new-long-{}-{i}", "x".repeat(i))));
        texts.extend(known.iter().take(20).cloned());
        texts.push("many-new-3".to_string());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let many = Sym::new_many(&refs);
        assert_eq!(many.len(), texts.len());
        assert_eq!(&many[..500], &before[..]);
        for (sym, text) in many.iter().zip(&texts) {
            assert_eq!(sym.as_str(), text);
            assert_eq!(*sym, Sym::new(text));
        }
        assert!(Sym::new_many(&[]).is_empty());
    }

    #[test]
    fn threads_agree() {
        let syms: Vec<Vec<Sym>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| {
                    s.spawn(|| {
                        (0..500)
                            .map(|i| Sym::new(&format!("intern-thread-{i}")))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for other in &syms[1..] {
            assert_eq!(&syms[0], other);
        }
        assert_eq!(syms[0][42].as_str(), "intern-thread-42");
    }
}
