//! Small validated values shared by several domain types.

use super::{FieldError, Msg};

/// A required piece of text: trimmed, not empty, at most `max` characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, Msg::new("err-required")));
    }
    optional_text(field, text, max)
}

/// Optional text: trimmed, at most `max` characters (an empty string is allowed).
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.chars().count() > max {
        return Err(FieldError::new(field, Msg::new("err-too-long").with("max", max)));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldError::new(field, Msg::new("err-control-chars")));
    }
    Ok(text.to_string())
}

/// A mainland China mobile number: eleven digits starting 13–19.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MobileNumber(String);

impl MobileNumber {
    pub fn parse(field: &str, raw: &str) -> Result<MobileNumber, FieldError> {
        let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let digits = digits.strip_prefix("+86").unwrap_or(&digits);
        let ok = digits.len() == 11
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        if ok { Ok(MobileNumber(digits.to_string())) } else { Err(FieldError::new(field, Msg::new("err-mobile"))) }
    }

    /// Empty input means "no number".
    pub fn parse_optional(field: &str, raw: &str) -> Result<Option<MobileNumber>, FieldError> {
        if raw.trim().is_empty() { Ok(None) } else { MobileNumber::parse(field, raw).map(Some) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 138****1234: how a number is shown to anyone not handling the matter.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// A contact telephone: a mobile number or a landline such as 0576-86123456.
pub fn contact_phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(String::new());
    }
    let ok = text.len() <= 20
        && text.chars().all(|c| c.is_ascii_digit() || c == '-' || c == ' ' || c == '+')
        && text.chars().filter(|c| c.is_ascii_digit()).count() >= 7;
    if ok { Ok(text.to_string()) } else { Err(FieldError::new(field, Msg::new("err-phone"))) }
}

/// A short machine code for an entity (station code, deputy number…): letters,
/// digits, `-` and `_`, 2 to 32 characters.
pub fn entity_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let text = raw.trim();
    let ok = (2..=32).contains(&text.len()) && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok { Ok(text.to_string()) } else { Err(FieldError::new(field, Msg::new("err-code"))) }
}

/// A comma-separated list (Chinese or Latin commas, 、 too), trimmed, without empties or repeats.
pub fn list(field: &str, raw: &str, max_items: usize) -> Result<Vec<String>, FieldError> {
    let mut items: Vec<String> = Vec::new();
    for part in raw.split([',', '，', '、', ';', '；']) {
        let item = optional_text(field, part, 40)?;
        if !item.is_empty() && !items.contains(&item) {
            items.push(item);
        }
    }
    if items.len() > max_items {
        return Err(FieldError::new(field, Msg::new("err-too-many").with("max", max_items)));
    }
    Ok(items)
}

/// "是/否", "yes/no", "1/0", "true/false"; empty takes the default.
pub fn yes_no(field: &str, raw: &str, default: bool) -> Result<bool, FieldError> {
    match raw.trim().to_lowercase().as_str() {
        "" => Ok(default),
        "是" | "yes" | "y" | "1" | "true" | "on" | "启用" | "在线" => Ok(true),
        "否" | "no" | "n" | "0" | "false" | "off" | "停用" | "离线" => Ok(false),
        _ => Err(FieldError::new(field, Msg::new("err-yes-no"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_numbers() {
        let check = |raw: &str, expected: Option<&str>| {
            assert_eq!(MobileNumber::parse("m", raw).ok().map(|m| m.0), expected.map(String::from), "{raw}");
        };
        check("13812345678", Some("13812345678"));
        check("138 1234 5678", Some("13812345678"));
        check("+8613812345678", Some("13812345678"));
        check("12812345678", None);
        check("1381234567", None);
        check("138123456789", None);
        check("1381234567x", None);
        check("", None);
        assert_eq!(MobileNumber::parse("m", "13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn texts_and_lists() {
        assert!(required_text("n", "  ", 10).is_err());
        assert_eq!(required_text("n", " 温岭 ", 10).unwrap(), "温岭");
        assert!(required_text("n", "一二三四五六七八九十一", 10).is_err());
        assert_eq!(list("f", "交通，教育、交通, 医疗", 5).unwrap(), vec!["交通", "教育", "医疗"]);
        assert!(yes_no("a", "maybe", true).is_err());
        assert!(!yes_no("a", "否", true).unwrap());
        assert!(entity_code("c", "LLZ-01").is_ok());
        assert!(entity_code("c", "联络站").is_err());
    }
}
