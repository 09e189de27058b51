//! What is reported and what is not: validated SSNs, context for bare numbers,
//! payment cards. Every test runs the real binary on realistic text.

mod common;
use common::*;

const SSN_MIX: &str = "\
Customer intake notes, batch 7
Valid, dashed: applicant 536-22-8119 signed the form
Valid, spaced: spouse 402 71 3356 co-signed
Valid, bare under a key: ssn=148097731
Invalid areas: 000-12-3456 and 666-12-3456 and 900-12-3456 and 987-65-4321
Invalid group and serial: 123-00-4567 then 123-45-0000
Advertising numbers: 078-05-1120 and 219-09-9999 and 457-55-5462
Mismatched separators: 123-456789 and 12345-6789 and 536-22 8119 and 536 22-8119
Phone numbers: call (415) 867-5309 or 212-867-5309 today
ZIP+4 codes: 94105-1234, 10001-0001
Order numbers: ORD-2023-88412, #5362281190, 2023-0001-7731
Dates: 2023-01-15, 03/12/1985, 15.03.2024
Bare digits alone: shipment 536228119 left the depot
";

#[test]
fn reports_exactly_the_valid_ssns_at_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "intake.txt", SSN_MIX);
    let (doc, code) = scan_json(&[file.to_str().unwrap()]);
    assert_eq!(
        code, 1,
        "critical findings fail at the default --fail-on high"
    );

    let ssns: Vec<(u64, u64)> = positions(&doc)
        .into_iter()
        .filter(|(_, _, rule)| rule == "us-ssn" || rule == "us-itin")
        .map(|(l, c, _)| (l, c))
        .collect();
    let expected = vec![
        position_of(SSN_MIX, "536-22-8119"),
        position_of(SSN_MIX, "402 71 3356"),
        position_of(SSN_MIX, "148097731"),
    ];
    assert_eq!(ssns, expected);

    // On the decoy lines nothing is reported but what a decoy truly is: the phone
    // numbers as phones and the labelled ZIP codes as postal codes.
    let decoy_lines = 5..=14u64;
    let phone_line = position_of(SSN_MIX, "(415) 867-5309").0;
    let zip_line = position_of(SSN_MIX, "94105-1234").0;
    for (line, col, rule) in positions(&doc) {
        if decoy_lines.contains(&line) {
            let own_type = (line == phone_line && rule == "phone")
                || (line == zip_line && rule == "postal-code");
            assert!(own_type, "decoy reported: {rule} at {line}:{col}");
        }
    }
}

#[test]
fn evidence_is_masked_with_the_last_four_digits() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "intake.txt", SSN_MIX);
    let (doc, _) = scan_json(&[file.to_str().unwrap()]);
    let evidence: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["pii_type"] == "ssn")
        .map(|f| f["evidence"].as_str().unwrap())
        .collect();
    assert_eq!(evidence, ["***-**-8119", "*** ** 3356", "*****7731"]);
}

#[test]
fn bare_nine_digits_are_ssns_only_with_context() {
    let text = "\
ssn: 536228119
tax_id=402713356
\"ssn\": \"148097731\"
Social Security Number 287654321 on file
<ssn>321549876</ssn>
batch 536228119 processed
id 402713356 ok
zip: 148097731
42 parcels, ref 287654321
";
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "mixed.log", text);
    let (doc, _) = scan_json(&[file.to_str().unwrap()]);
    let lines: Vec<u64> = positions(&doc)
        .into_iter()
        .filter(|(_, _, r)| r == "us-ssn")
        .map(|(l, _, _)| l)
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5]);
    // The key the value sits under is reported as its field.
    let fields: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == "us-ssn")
        .filter_map(|f| f["location"]["field"].as_str())
        .collect();
    assert_eq!(fields, ["ssn", "tax_id", "ssn", "ssn"]);
}

/// A fixed-width export: record number, SSN, name. The record number and the SSN
/// first read as one spaced number (`0001 536-22-8119`, the shape of a phone number
/// that needs context, which nothing here gives); the SSN inside it must be found.
#[test]
fn ssns_after_a_record_number_in_a_fixed_width_export_are_found() {
    let text = "\
REC  SSN         NAME
0001 536-22-8119 JOHN SMITH
0002 402-71-3356 JANE DOE
12 148-09-7731 ALEX ROE
";
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "payroll.txt", text);
    let (doc, _) = scan_json(&[file.to_str().unwrap()]);
    let ssns: Vec<(u64, u64)> = positions(&doc)
        .into_iter()
        .filter(|(_, _, rule)| rule == "us-ssn")
        .map(|(l, c, _)| (l, c))
        .collect();
    let expected = ["536-22-8119", "402-71-3356", "148-09-7731"].map(|v| position_of(text, v));
    assert_eq!(ssns, expected);
}

/// Bare nine digits are SSNs in a column named for them, even where most of the
/// column holds zeros and every other field of the export is a number: each record is
/// read with its own header's names, column by column (one thread, and two with
/// records split in small blocks).
#[test]
fn bare_ssns_in_a_sparse_ssn_column_of_a_numeric_export_are_found() {
    let ssns = ["536228119", "402713356", "148097731"];
    let mut csv = String::from("ssn,amount,qty\n");
    let mut want = Vec::new();
    for row in 0..300u64 {
        let ssn = if row % 100 == 7 {
            let v = ssns[want.len()];
            want.push((row + 2, 1));
            v
        } else {
            "0"
        };
        csv.push_str(&format!("{ssn},{},{}\n", row * 37 % 100_000, row % 9));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "payments.csv", &csv);
    for args in [&["-j1"][..], &["-j2", "--parallel-part", "1024"][..]] {
        let mut all = vec![file.to_str().unwrap()];
        all.extend_from_slice(args);
        let (doc, _) = scan_json(&all);
        let found: Vec<(u64, u64)> = positions(&doc)
            .into_iter()
            .filter(|(_, _, rule)| rule == "us-ssn")
            .map(|(l, c, _)| (l, c))
            .collect();
        assert_eq!(found, want, "{args:?}");
    }
}

/// Coordinates are stored PII by their column's name alone: every value of a
/// `latitude` / `longitude` column of a numeric export is reported, though no value
/// pattern matches them (one thread, and two with small blocks).
#[test]
fn every_value_of_coordinate_columns_in_a_numeric_export_is_reported() {
    let mut csv = String::from("latitude,longitude,qty\n");
    for row in 0..200u64 {
        csv.push_str(&format!(
            "{}.{:04},-{}.{:04},{}\n",
            30 + row % 10,
            row * 7 % 10_000,
            70 + row % 50,
            row * 13 % 10_000,
            row % 9
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "stores.csv", &csv);
    for args in [&["-j1"][..], &["-j2", "--parallel-part", "1024"][..]] {
        let mut all = vec![file.to_str().unwrap(), "--max-findings-per-location", "0"];
        all.extend_from_slice(args);
        let (doc, _) = scan_json(&all);
        let found = positions(&doc)
            .into_iter()
            .filter(|(_, _, rule)| rule == "geo-location-column")
            .count();
        assert_eq!(found, 400, "{args:?}");
    }
}

#[test]
fn luhn_invalid_cards_are_not_reported_and_test_pans_of_each_brand_are() {
    let valid = [
        ("visa", "4111 1111 1111 1111"),
        ("visa-13", "4222222222222"),
        ("mastercard", "5555-5555-5555-4444"),
        ("mastercard-2series", "2223003122003222"),
        ("amex", "3782 822463 10005"),
        ("discover", "6011111111111117"),
        ("jcb", "3530111333300000"),
        ("diners", "30569309025904"),
        ("unionpay", "6200000000000005"),
    ];
    let invalid = [
        "4111 1111 1111 1112",
        "5555555555554443",
        "1234567812345678",
        "6011111111111118",
        "3782 822463 10006",
    ];
    let mut text = String::new();
    for (brand, pan) in valid {
        text.push_str(&format!("{brand} card {pan} on file\n"));
    }
    for pan in invalid {
        text.push_str(&format!("rejected {pan}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "cards.txt", &text);
    let (doc, _) = scan_json(&[file.to_str().unwrap()]);
    let lines: Vec<u64> = positions(&doc)
        .into_iter()
        .filter(|(_, _, r)| r == "credit-card")
        .map(|(l, _, _)| l)
        .collect();
    assert_eq!(lines, (1..=valid.len() as u64).collect::<Vec<_>>());
    assert!(
        positions(&doc)
            .iter()
            .all(|(l, _, _)| *l <= valid.len() as u64),
        "nothing on the invalid lines"
    );
}

#[test]
fn other_validated_types_are_found_in_logs() {
    let text = "\
2024-03-02 payout to IBAN GB82 WEST 1234 5698 7654 32 queued
2024-03-02 routing number 021000021 account number 4820173349
2024-03-02 login from 81.2.69.160 user=mary.smith@sakilacustomer.org
2024-03-02 patient DOB: 1985-03-12 passport no 520183947
";
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "app.log", text);
    let (doc, _) = scan_json(&[file.to_str().unwrap(), "--min-confidence", "low"]);
    let rules: Vec<String> = positions(&doc).into_iter().map(|(_, _, r)| r).collect();
    assert_eq!(
        rules,
        [
            "iban",
            "aba-routing-number",
            "bank-account-number",
            "ip-address",
            "email",
            "date-of-birth",
            "us-passport"
        ]
    );
}

#[test]
fn min_confidence_filters() {
    let dir = tempfile::tempdir().unwrap();
    // An IP address with no context is low confidence: hidden by default.
    let file = write(dir.path(), "a.log", "peer 81.2.69.160 connected\n");
    let (doc, _) = scan_json(&[file.to_str().unwrap()]);
    assert_eq!(positions(&doc).len(), 0);
    let (doc, _) = scan_json(&[file.to_str().unwrap(), "--min-confidence", "low"]);
    assert_eq!(doc["findings"][0]["confidence"], "low");
}
