//! Value types stored in the keyspace and their memory encodings.
//!
//! A [`Value`] is 16 bytes so it can live inside a keyspace entry next to the
//! key: small strings and integers are stored inline, everything else behind
//! one pointer. The variant also answers `TYPE` and `OBJECT ENCODING`.

pub mod hll;
pub mod string;

pub use string::Str;

/// A keyspace value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(Str),
}

impl Value {
    /// The `TYPE` name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
        }
    }

    /// The `OBJECT ENCODING` name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => s.encoding(),
        }
    }

    /// Approximate heap bytes owned by this value beyond its 16 inline bytes
    /// (for MEMORY USAGE and lazy-free decisions).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
        }
    }

    /// Number of elements that freeing this value will touch (Valkey's
    /// "free effort", used to decide whether to free in the background).
    pub fn free_effort(&self) -> usize {
        match self {
            Value::Str(_) => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_16_bytes() {
        assert_eq!(std::mem::size_of::<super::Value>(), 16);
    }
}
