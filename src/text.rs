//! Small rules of French text shared by the terminal screens and the command line.

/// `one` or `many`, agreed with the count `n`: French takes the singular for 0 and 1
/// (« 0 échéance », « 1 résultat », « 832 résultats »).
pub fn agree<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n <= 1 { one } else { many }
}

/// `n` and the noun agreed with it: `count(832, "résultat", "résultats")` is « 832 résultats ».
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", agree(n, one, many))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_one_take_the_singular() {
        assert_eq!(count(0, "échéance", "échéances"), "0 échéance");
        assert_eq!(count(1, "résultat", "résultats"), "1 résultat");
        assert_eq!(count(832, "résultat", "résultats"), "832 résultats");
        assert_eq!(agree(2, "dépassée", "dépassées"), "dépassées");
    }
}
