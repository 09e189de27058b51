//! Calendar dates that could be dates of birth.

use super::{Verdict, digit_groups, number};
use std::time::{SystemTime, UNIX_EPOCH};

fn current_year() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Days since 1970 to a Gregorian year is close enough at year granularity.
    1970 + (secs / 31_556_952) as u32
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn real_date(year: u32, month: u32, day: u32) -> bool {
    (1900..=current_year()).contains(&year) && day >= 1 && day <= days_in_month(year, month)
}

/// `YYYY-MM-DD`, `YYYY/MM/DD`, `MM/DD/YYYY`, `DD/MM/YYYY`, `DD.MM.YYYY`: one separator
/// used throughout, a real day, year 1900..=this year. Ambiguous day/month order is
/// accepted when either reading is a real date.
pub fn validate_birth_date(candidate: &[u8]) -> Verdict {
    let Some(g) = digit_groups(candidate) else {
        return Verdict::Invalid;
    };
    let (groups, seps) = (g.groups(), g.seps());
    if groups.len() != 3 || seps[0] != seps[1] || !matches!(seps[0], b'-' | b'/' | b'.') {
        return Verdict::Invalid;
    }
    let (a, b, c) = (groups[0], groups[1], groups[2]);
    let ok = if a.len() == 4 {
        b.len() <= 2 && c.len() <= 2 && real_date(number(a), number(b), number(c))
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        let y = number(c);
        real_date(y, number(a), number(b)) || real_date(y, number(b), number(a))
    } else {
        false
    };
    ok.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        for d in [
            "1985-03-12",
            "03/12/1985",
            "31.12.1999",
            "2000-02-29",
            "12/31/1970",
        ] {
            assert_eq!(validate_birth_date(d.as_bytes()), Verdict::Valid, "{d}");
        }
        for d in [
            "1985-13-12",
            "1899-01-01",
            "2999-01-01",
            "1985-02-30",
            "1900-02-29",
            "1985-03/12",
            "13/13/1985",
        ] {
            assert_eq!(validate_birth_date(d.as_bytes()), Verdict::Invalid, "{d}");
        }
    }
}
