//! Struct ids (layout.md §5): BLAKE2b with an 8-byte digest over the struct name, keyed by
//! BLAKE2b-256 of the header's `@key` value, read little-endian.

/// The hashing key derived from a header's `@key` tag (absent tag: no key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdKey(Option<[u8; 32]>);

impl IdKey {
    /// The key for a header whose first `@key` tag has `value` (`None`: no `@key` tag).
    /// A present but empty `@key()` is a key (of the empty string), not "no key".
    pub fn new(value: Option<&str>) -> IdKey {
        IdKey(value.map(|v| {
            let hash = blake2b_simd::Params::new()
                .hash_length(32)
                .hash(v.as_bytes());
            let mut key = [0u8; 32];
            key.copy_from_slice(hash.as_bytes());
            key
        }))
    }

    /// The hashed id of a struct named `name`.
    pub fn struct_id(&self, name: &str) -> u64 {
        let mut params = blake2b_simd::Params::new();
        params.hash_length(8);
        if let Some(key) = &self.0 {
            params.key(key);
        }
        let hash = params.hash(name.as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(hash.as_bytes());
        u64::from_le_bytes(bytes)
    }
}

/// Parses an `@id` value: ASCII decimal digits (leading zeros allowed) that fit in 64 bits.
pub fn parse_id(value: &str) -> Option<u64> {
    parse_decimal(value, u64::MAX)
}

/// Upstream's decimal conversion (language.md §7.2): non-empty ASCII digits, at most `max`.
pub fn parse_decimal(text: &str, max: u64) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for b in text.bytes() {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        if n > max {
            return None;
        }
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_from_the_spec() {
        let none = IdKey::new(None);
        assert_eq!(none.struct_id("A"), 5066686790394677530);
        assert_eq!(none.struct_id("Vec3"), 10268726485798425099);
        assert_eq!(none.struct_id("User"), 11139411273728609426);
        assert_eq!(none.struct_id("Point"), 12809409023221035873);
        assert_eq!(none.struct_id("Monsters"), 14096677544474027661);
        assert_eq!(IdKey::new(Some("")).struct_id("A"), 12602045038755005063);
        let secret = IdKey::new(Some("secret"));
        assert_eq!(secret.struct_id("User"), 7437028136698808015);
        assert_eq!(secret.struct_id("名前"), 10490564750038943310);
    }

    #[test]
    fn decimal_parsing() {
        assert_eq!(parse_id("007"), Some(7));
        assert_eq!(parse_id("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_id("18446744073709551616"), None);
        assert_eq!(parse_id(""), None);
        assert_eq!(parse_id("-1"), None);
        assert_eq!(parse_id("١"), None);
        assert_eq!(parse_decimal("255", 255), Some(255));
        assert_eq!(parse_decimal("256", 255), None);
    }
}
