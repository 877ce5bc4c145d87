//! Value types stored in the keyspace and their memory encodings.
//!
//! A [`Value`] is 16 bytes so it can live inside a keyspace entry next to the
//! key: small strings and integers are stored inline, everything else behind
//! one pointer. The variant also answers `TYPE` and `OBJECT ENCODING`.

pub mod geohash;
pub mod hash;
pub mod hll;
pub mod intset;
pub mod list;
pub mod listpack;
pub mod set;
pub mod skiplist;
pub mod string;
pub mod table;
pub mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use string::Str;
pub use zset::ZSetValue;

/// A keyspace value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(Str),
    List(Box<ListValue>),
    Hash(Box<HashValue>),
    Set(Box<SetValue>),
    ZSet(Box<ZSetValue>),
}

impl Value {
    /// The `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }

    /// Approximate heap bytes owned by this value beyond its 16 inline bytes
    /// (for MEMORY USAGE and lazy-free decisions).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
            Value::List(l) => std::mem::size_of::<ListValue>() + l.heap_size(),
            Value::Hash(h) => std::mem::size_of::<HashValue>() + h.heap_size(),
            Value::Set(s) => std::mem::size_of::<SetValue>() + s.heap_size(),
            Value::ZSet(z) => std::mem::size_of::<ZSetValue>() + z.heap_size(),
        }
    }

    /// Number of elements that freeing this value will touch (Valkey's
    /// "free effort", used to decide whether to free in the background).
    pub fn free_effort(&self) -> usize {
        match self {
            Value::Str(_) => 1,
            // Valkey: one allocation per quicklist node / per element of
            // the big encodings, 1 for the compact ones.
            Value::List(l) => l.node_count(),
            Value::Hash(h) if h.encoding() == "hashtable" => h.len_all(),
            Value::Set(s) if s.encoding() == "hashtable" => s.len(),
            Value::ZSet(z) if z.encoding() == "skiplist" => z.len(),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }

    #[test]
    fn compact_wrappers_are_two_words() {
        // Box<HashValue> etc. then take jemalloc's 16-byte class, like
        // Valkey's robj in front of a listpack.
        assert_eq!(std::mem::size_of::<super::HashValue>(), 16);
        assert_eq!(std::mem::size_of::<super::ZSetValue>(), 16);
        assert_eq!(std::mem::size_of::<super::ListValue>(), 16);
    }
}
