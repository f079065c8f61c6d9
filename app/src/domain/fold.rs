//! Accent- and case-insensitive matching of Vietnamese text.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-case, without diacritics, `đ` as `d`, runs of whitespace as one space:
/// `"Nguyễn  Văn Đức"` → `"nguyen van duc"`. Search text is stored and queried in this form.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd().filter(|c| !is_combining_mark(*c)) {
        let c = match c {
            'đ' | 'Đ' => 'd',
            other => other,
        };
        if c.is_whitespace() {
            pending_space = !folded.is_empty();
            continue;
        }
        if pending_space {
            folded.push(' ');
            pending_space = false;
        }
        folded.extend(c.to_lowercase());
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_accents_case_and_d_stroke() {
        assert_eq!(fold("Nguyễn Văn A"), "nguyen van a");
        assert_eq!(fold("  ĐƯỜNG  Điện Biên Phủ "), "duong dien bien phu");
        assert_eq!(fold("Phường Bến Nghé, Quận 1"), "phuong ben nghe, quan 1");
        assert_eq!(fold("Hoà Hòa"), "hoa hoa");
    }
}
