//! The administrative tree: province → city → county → town/street → village/community.

use super::fields::required_text;
use super::{FieldError, Msg};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RegionLevel {
    Province,
    City,
    County,
    Town,
    Village,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 5] =
        [RegionLevel::Province, RegionLevel::City, RegionLevel::County, RegionLevel::Town, RegionLevel::Village];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Town => "town",
            RegionLevel::Village => "village",
        }
    }

    /// Accepts the code word or the Chinese name an office writes in a spreadsheet.
    pub fn parse(field: &str, raw: &str) -> Result<RegionLevel, FieldError> {
        match raw.trim() {
            "province" | "省" => Ok(RegionLevel::Province),
            "city" | "市" | "地市" => Ok(RegionLevel::City),
            "county" | "县" | "县级" | "区县" | "县级市" => Ok(RegionLevel::County),
            "town" | "镇" | "乡" | "街道" | "镇街" | "乡镇" => Ok(RegionLevel::Town),
            "village" | "村" | "社区" | "村社区" => Ok(RegionLevel::Village),
            _ => Err(FieldError::new(field, Msg::new("err-region-level"))),
        }
    }

    /// The level a child of this level has; villages have none.
    pub fn child(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::Province => Some(RegionLevel::City),
            RegionLevel::City => Some(RegionLevel::County),
            RegionLevel::County => Some(RegionLevel::Town),
            RegionLevel::Town => Some(RegionLevel::Village),
            RegionLevel::Village => None,
        }
    }
}

/// An official administrative division code: 6 digits (province, city, county),
/// 9 (town/street) or 12 (village/community).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(field: &str, raw: &str) -> Result<RegionCode, FieldError> {
        let code = raw.trim();
        let ok = matches!(code.len(), 6 | 9 | 12) && code.chars().all(|c| c.is_ascii_digit());
        if ok { Ok(RegionCode(code.to_string())) } else { Err(FieldError::new(field, Msg::new("err-region-code"))) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The place of a region in the tree: the ids from the root down, written `/a/b/c/`.
/// A subtree is every path that starts with its root's path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionPath(String);

impl RegionPath {
    pub fn root(id: &str) -> RegionPath {
        RegionPath(format!("/{id}/"))
    }

    pub fn child(&self, id: &str) -> RegionPath {
        RegionPath(format!("{}{id}/", self.0))
    }

    /// Trusts a path read back from storage.
    pub fn from_stored(path: String) -> RegionPath {
        RegionPath(path)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn contains(&self, other: &RegionPath) -> bool {
        other.0.starts_with(&self.0)
    }

    pub fn depth(&self) -> usize {
        self.0.matches('/').count().saturating_sub(1)
    }

    /// The paths of this region and of every region above it (and `/`), from the top:
    /// what a storage query looks up one by one instead of testing every region's path
    /// as a prefix of this one.
    pub fn lineage(&self) -> Vec<&str> {
        lineage(&self.0)
    }

    /// The least text above every path of the subtree in byte order: the subtree is every
    /// path from this one up to, not including, the end (the last `/` made `0`, the next
    /// byte), so a storage query reads it as one range of an index.
    pub fn subtree_end(&self) -> String {
        let stem = self.0.strip_suffix('/').unwrap_or(&self.0);
        format!("{stem}0")
    }
}

/// The paths of the region at `path` and of every region above it (and `/`), from the
/// top: every prefix of `path` that ends with `/`.
pub fn lineage(path: &str) -> Vec<&str> {
    path.match_indices('/').map(|(i, _)| &path[..=i]).collect()
}

/// A region as entered by a person, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionInput {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    /// The parent's official code; none only for a root.
    pub parent_code: Option<RegionCode>,
}

impl RegionInput {
    pub fn parse(code: &str, name: &str, level: &str, parent_code: &str) -> Result<RegionInput, Vec<FieldError>> {
        let mut errors = Vec::new();
        let code = RegionCode::parse("code", code).map_err(|e| errors.push(e)).ok();
        let name = required_text("name", name, 40).map_err(|e| errors.push(e)).ok();
        let level = RegionLevel::parse("level", level).map_err(|e| errors.push(e)).ok();
        let parent_code = if parent_code.trim().is_empty() {
            Some(None)
        } else {
            RegionCode::parse("parent_code", parent_code).map(Some).map_err(|e| errors.push(e)).ok()
        };
        match (code, name, level, parent_code) {
            (Some(code), Some(name), Some(level), Some(parent_code)) if errors.is_empty() => {
                Ok(RegionInput { code, name, level, parent_code })
            }
            _ => Err(errors),
        }
    }
}

/// Whether `child` may hang under `parent`: exactly one level down, so that
/// rankings of towns or counties always compare like with like.
pub fn check_parent_level(parent: RegionLevel, child: RegionLevel) -> Result<(), FieldError> {
    if parent.child() == Some(child) {
        Ok(())
    } else {
        Err(FieldError::new("parent_code", Msg::new("err-region-parent-level")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_levels() {
        assert!(RegionCode::parse("c", "331081").is_ok());
        assert!(RegionCode::parse("c", "331081001").is_ok());
        assert!(RegionCode::parse("c", "331081001001").is_ok());
        assert!(RegionCode::parse("c", "33108").is_err());
        assert!(RegionCode::parse("c", "33108a").is_err());
        assert_eq!(RegionLevel::parse("l", "街道").unwrap(), RegionLevel::Town);
        assert!(check_parent_level(RegionLevel::County, RegionLevel::Town).is_ok());
        assert!(check_parent_level(RegionLevel::County, RegionLevel::Village).is_err());
    }

    #[test]
    fn paths() {
        let county = RegionPath::root("a").child("b");
        let town = county.child("c");
        assert!(county.contains(&town));
        assert!(!town.contains(&county));
        assert!(county.contains(&county));
        assert_eq!(town.depth(), 3);
        assert!(!RegionPath::root("a").contains(&RegionPath::root("ab")));
    }

    #[test]
    fn lineage_lists_the_paths_above_from_the_top() {
        let town = RegionPath::root("a").child("b").child("c");
        assert_eq!(town.lineage(), ["/", "/a/", "/a/b/", "/a/b/c/"]);
        assert_eq!(RegionPath::from_stored("/".to_string()).lineage(), ["/"]);
    }

    #[test]
    fn a_subtree_is_one_range_of_paths_in_byte_order() {
        let check = |root: &RegionPath, path: &str, inside: bool| {
            let in_range = root.as_str() <= path && path < root.subtree_end().as_str();
            assert_eq!(in_range, inside, "{path} under {}", root.as_str());
            assert_eq!(in_range, root.contains(&RegionPath::from_stored(path.to_string())), "{path}");
        };
        let county = RegionPath::root("a").child("b");
        check(&county, "/a/b/", true);
        check(&county, "/a/b/c/", true);
        check(&county, "/a/b/zz/y/", true);
        check(&county, "/a/bc/", false);
        check(&county, "/a/b0/", false);
        check(&county, "/a/a/", false);
        check(&county, "/a/", false);
        let everything = RegionPath::from_stored("/".to_string());
        check(&everything, "/a/", true);
        check(&everything, "/z/y/", true);
    }
}

/// A region as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub id: String,
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent_id: Option<String>,
    pub path: RegionPath,
    pub active: bool,
}
