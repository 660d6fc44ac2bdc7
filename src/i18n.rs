//! The translation catalogue: Fluent files under `locales/`, compiled into the
//! binary. Chinese (zh-CN) is the default; English is available.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use crate::domain::Msg;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// From a cookie or query value; anything unknown is Chinese.
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") { Lang::En } else { Lang::Zh }
    }
}

pub const ZH_SOURCE: &str = include_str!("../locales/zh-CN/main.ftl");
pub const EN_SOURCE: &str = include_str!("../locales/en/main.ftl");

pub struct I18n {
    zh: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

impl I18n {
    pub fn new() -> I18n {
        I18n { zh: bundle(Lang::Zh, ZH_SOURCE), en: bundle(Lang::En, EN_SOURCE) }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The text of `key`; a missing key shows itself (and the tidy test
    /// keeps every key present in both catalogues).
    pub fn text(&self, lang: Lang, key: &str) -> String {
        self.format(lang, key, None)
    }

    pub fn msg(&self, lang: Lang, msg: &Msg) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &msg.args {
            args.set(*name, value.clone());
        }
        self.format(lang, msg.key, Some(&args))
    }

    fn format(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_string();
        };
        let mut errors = Vec::new();
        bundle.format_pattern(pattern, args, &mut errors).into_owned()
    }

    pub fn has(&self, lang: Lang, key: &str) -> bool {
        self.bundle(lang).has_message(key)
    }
}

impl Default for I18n {
    fn default() -> I18n {
        I18n::new()
    }
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errors)| panic!("the {} catalogue does not parse: {errors:?}", lang.code()));
    let id: unic_langid::LanguageIdentifier = lang.code().parse().expect("a valid language tag");
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks would show up inside HTML attributes and CSV cells.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("no duplicate message ids");
    bundle
}

/// Every message id defined in a catalogue source, in order.
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once(" =").map(|(id, _)| id.trim().to_string()))
        .collect()
}
