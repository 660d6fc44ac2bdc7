//! Hot words (热词): the words of a case's text that the cockpit counts, found by
//! Chinese word segmentation (jieba, with its own dictionary and part-of-speech tags).
//!
//! A word counts when it is a noun or a verb (tags `n…`, `v…`; not `nr`, a person's
//! name, which would put citizens' names in the cockpit), at least two characters
//! long, and not a stop word (`data/stopwords-zh/`, MIT). Each case gives at most
//! [`WORDS_PER_CASE`] words, its most frequent ones, so one long letter costs a
//! bounded number of counter rows; the cockpit then counts, per word, the cases that
//! gave it.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use jieba_rs::Jieba;

/// The most words one case adds to the counters.
pub const WORDS_PER_CASE: usize = 20;
/// Longer "words" are segmentation accidents (runs of unknown characters).
const MAX_CHARS: usize = 8;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

static STOP_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/stopwords-zh/stopwords-zh.txt").lines().map(str::trim).filter(|w| !w.is_empty()).collect()
});

fn counts(tag: &str) -> bool {
    (tag.starts_with('n') && tag != "nr") || tag.starts_with('v')
}

/// The words of `text` that count for hot words, most frequent first (ties: first
/// seen first), at most [`WORDS_PER_CASE`], each once.
pub fn hot_words(text: &str) -> Vec<String> {
    let mut seen: HashMap<&str, (usize, usize)> = HashMap::new();
    for tag in JIEBA.tag(text, true) {
        let chars = tag.word.chars().count();
        if !(2..=MAX_CHARS).contains(&chars) || !counts(tag.tag) || STOP_WORDS.contains(tag.word) {
            continue;
        }
        if !tag.word.chars().all(char::is_alphabetic) {
            continue;
        }
        let order = seen.len();
        seen.entry(tag.word).or_insert((0, order)).0 += 1;
    }
    let mut words: Vec<(&str, (usize, usize))> = seen.into_iter().collect();
    words.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    words.into_iter().take(WORDS_PER_CASE).map(|(w, _)| w.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nouns_and_verbs_of_two_characters_or_more_without_stop_words_or_names() {
        let words = hot_words("张伟反映：我们小区门口的路灯坏了，晚上很黑，希望尽快维修路灯。");
        assert_eq!(words.first().map(String::as_str), Some("路灯"), "the most frequent first: {words:?}");
        assert!(words.iter().any(|w| w == "维修"), "a verb counts: {words:?}");
        assert!(words.iter().any(|w| w == "小区"), "a noun counts: {words:?}");
        for left_out in ["我们", "的", "很", "张伟", "晚上很黑"] {
            assert!(!words.iter().any(|w| w == left_out), "{left_out} is left out: {words:?}");
        }
        assert!(words.iter().all(|w| w.chars().count() >= 2));
        let mut unique = words.clone();
        unique.dedup();
        assert_eq!(unique.len(), words.len(), "each word once");
    }

    #[test]
    fn a_long_text_gives_at_most_the_cap() {
        let text = "道路 桥梁 医院 学校 公园 菜场 停车 垃圾 噪音 污水 绿化 路灯 电梯 物业 供水 供电 燃气 排水 "
            .repeat(3)
            + "公交 地铁 快递 养老 托育 就业 社保 医保 住房 拆迁";
        assert_eq!(hot_words(&text).len(), WORDS_PER_CASE);
        assert!(hot_words("").is_empty() && hot_words("123 abc !!").is_empty());
    }
}
