//! A synthetic province: 11 cities, about 90 counties and 1,300 towns, their liaison
//! stations and member studios, about 100,000 deputies and members, and departments at
//! every level. Pure: the same seed gives the same province; no IO, no clock.

use super::rng::Rng;
use crate::clock::Millis;
use crate::domain::case::CATEGORIES;

/// The province code: 36 (a province of 11 cities, like Jiangxi's).
pub const PROVINCE_CODE: &str = "360000";

const CITY_NAMES: [&str; 11] = ["洪州", "景德", "萍乡", "浔阳", "新余", "鹰潭", "章贡", "吉州", "宜春", "临川", "信州"];
const PLACE_SYLLABLES: [&str; 48] = [
    "安", "平", "河", "山", "青", "石", "东", "西", "南", "北", "清", "水", "湖", "桥", "林", "泉", "丰", "永", "和",
    "新", "长", "乐", "宁", "兴", "龙", "凤", "云", "溪", "塘", "岭", "田", "坪", "茶", "梅", "桃", "柳", "白", "金",
    "瑞", "德", "昌", "华", "明", "义", "仁", "福", "源", "港",
];
const SURNAMES: [&str; 32] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "高", "郑", "梁", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹", "曾", "彭",
];
const GIVEN: [&str; 40] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "建", "国", "文", "辉", "玲", "红", "春", "海", "燕", "斌", "波", "宇", "鹏", "俊",
    "晨", "琳",
];
const SECTORS: [&str; 8] = ["民革", "民盟", "民建", "工商联", "医卫", "教育", "农业", "经济"];
/// Departments above town level: name and the categories it handles.
const DEPARTMENTS: [(&str, &str); 14] = [
    ("住房和城乡建设局", "construction"),
    ("交通运输局", "transport"),
    ("生态环境局", "environment"),
    ("教育局", "education"),
    ("卫生健康委员会", "health"),
    ("人力资源和社会保障局", "social_security"),
    ("农业农村局", "agriculture"),
    ("海洋与渔业局", "fishery"),
    ("市场监督管理局", "market"),
    ("公安局", "public_safety"),
    ("民政局", "other"),
    ("自然资源和规划局", "construction"),
    ("综合行政执法局", "environment"),
    ("水利局", "agriculture"),
];
/// Offices of a town government.
const TOWN_OFFICES: [(&str, &str); 5] = [
    ("党政综合办公室", "other"),
    ("村镇建设办公室", "construction"),
    ("农业农村办公室", "agriculture"),
    ("社会事务办公室", "social_security"),
    ("综合行政执法队", "environment"),
];

#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    pub code: String,
    pub name: String,
    pub level: &'static str,
    pub parent: Option<usize>,
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: String,
    pub code: String,
    /// "station" or "studio".
    pub kind: &'static str,
    /// For studios: "town" or "sector".
    pub studio_kind: Option<&'static str>,
    pub name: String,
    pub region: usize,
    pub sector: String,
}

#[derive(Debug, Clone)]
pub struct Representative {
    pub id: String,
    pub code: String,
    /// "congress" or "cppcc".
    pub body: &'static str,
    pub name: String,
    pub gender: &'static str,
    pub level: Option<&'static str>,
    pub region: usize,
    pub mobile: String,
    pub unit: usize,
}

#[derive(Debug, Clone)]
pub struct Department {
    pub id: String,
    pub code: String,
    pub name: String,
    pub region: usize,
    pub category: &'static str,
}

/// A town and what serves it: where cases arise.
#[derive(Debug, Clone)]
pub struct Town {
    pub region: usize,
    /// Its county, city and province regions, nearest first.
    pub ancestors: [usize; 3],
    pub stations: Vec<usize>,
    pub studio: usize,
    /// Deputies serving at its stations.
    pub deputies: Vec<usize>,
    /// How many cases it sees, relatively (some towns are busy, most are not).
    pub weight: u32,
}

#[derive(Debug, Clone)]
pub struct Province {
    pub regions: Vec<Region>,
    pub units: Vec<Unit>,
    pub representatives: Vec<Representative>,
    pub departments: Vec<Department>,
    pub towns: Vec<Town>,
    /// Departments by region and category: `dept_by[region][category index]`.
    pub dept_by: Vec<Vec<Option<usize>>>,
    /// CPPCC members by county region.
    pub members_by_county: Vec<Vec<usize>>,
    /// Cumulative town weights, for drawing a town.
    cumulative: Vec<u64>,
}

impl Province {
    /// Draws a town, busier towns more often.
    pub fn draw_town(&self, rng: &mut Rng) -> &Town {
        let total = *self.cumulative.last().unwrap_or(&1);
        let roll = rng.next_u64() % total.max(1);
        let at = self.cumulative.partition_point(|c| *c <= roll);
        &self.towns[at.min(self.towns.len() - 1)]
    }

    /// The department of `region` that handles `category`, if it has one.
    pub fn department(&self, region: usize, category: &str) -> Option<usize> {
        let index = CATEGORIES.iter().position(|c| *c == category)?;
        self.dept_by[region][index]
    }
}

/// A time-ordered id (UUIDv7 layout) from a time and the seeded generator.
pub fn synth_id(at: Millis, rng: &mut Rng) -> String {
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    random[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    uuid::Builder::from_unix_timestamp_millis(at.max(0) as u64, &random).into_uuid().simple().to_string()
}

fn place_name(rng: &mut Rng) -> String {
    format!(
        "{}{}",
        PLACE_SYLLABLES[rng.below(PLACE_SYLLABLES.len())],
        PLACE_SYLLABLES[rng.below(PLACE_SYLLABLES.len())]
    )
}

pub fn person_name(rng: &mut Rng) -> String {
    let given = if rng.below(3) == 0 {
        GIVEN[rng.below(GIVEN.len())].to_string()
    } else {
        format!("{}{}", GIVEN[rng.below(GIVEN.len())], GIVEN[rng.below(GIVEN.len())])
    };
    format!("{}{given}", SURNAMES[rng.below(SURNAMES.len())])
}

pub fn mobile(rng: &mut Rng) -> String {
    const PREFIXES: [&str; 8] = ["133", "135", "137", "138", "139", "150", "158", "189"];
    format!("{}{:08}", PREFIXES[rng.below(PREFIXES.len())], rng.next_u64() % 100_000_000)
}

/// Builds the province. `created_at` is when its records were entered.
pub fn province(seed: u64, created_at: Millis) -> Province {
    let mut rng = Rng::new(seed ^ 0x7072_6f76_696e_6365);
    let mut p = Province {
        regions: Vec::new(),
        units: Vec::new(),
        representatives: Vec::new(),
        departments: Vec::new(),
        towns: Vec::new(),
        dept_by: Vec::new(),
        members_by_county: Vec::new(),
        cumulative: Vec::new(),
    };
    let root = add_region(&mut p, &mut rng, created_at, PROVINCE_CODE, "江右省".into(), "province", None);
    add_departments(&mut p, &mut rng, created_at, root, "省");
    for (c, city_name) in CITY_NAMES.iter().enumerate() {
        let city_code = format!("36{:02}00", c + 1);
        let city = add_region(&mut p, &mut rng, created_at, &city_code, format!("{city_name}市"), "city", Some(root));
        add_departments(&mut p, &mut rng, created_at, city, &format!("{city_name}市"));
        // 7 to 9 counties a city: about 90 in all.
        let counties = 7 + rng.below(3);
        for k in 0..counties {
            let county_name = format!("{}{}", place_name(&mut rng), if k == 0 { "区" } else { "县" });
            let county_code = format!("36{:02}{:02}", c + 1, k + 21);
            let county =
                add_region(&mut p, &mut rng, created_at, &county_code, county_name.clone(), "county", Some(city));
            add_departments(&mut p, &mut rng, created_at, county, &county_name);
            add_county(&mut p, &mut rng, created_at, county, &county_code, [county, city, root]);
        }
    }
    p.members_by_county.resize(p.regions.len(), Vec::new());
    for (i, rep) in p.representatives.iter().enumerate() {
        if rep.body == "cppcc" {
            p.members_by_county[rep.region].push(i);
        }
    }
    p.cumulative = {
        let mut sum = 0u64;
        p.towns
            .iter()
            .map(|t| {
                sum += u64::from(t.weight);
                sum
            })
            .collect()
    };
    p
}

fn add_region(
    p: &mut Province,
    rng: &mut Rng,
    created_at: Millis,
    code: &str,
    name: String,
    level: &'static str,
    parent: Option<usize>,
) -> usize {
    let id = synth_id(created_at, rng);
    let path = match parent {
        Some(parent) => format!("{}{id}/", p.regions[parent].path),
        None => format!("/{id}/"),
    };
    p.regions.push(Region { id, code: code.to_string(), name, level, parent, path });
    p.dept_by.push(vec![None; CATEGORIES.len()]);
    p.regions.len() - 1
}

fn add_departments(p: &mut Province, rng: &mut Rng, created_at: Millis, region: usize, prefix: &str) {
    let list: &[(&str, &'static str)] = if p.regions[region].level == "town" { &TOWN_OFFICES } else { &DEPARTMENTS };
    for (name, category) in list {
        let index = p.departments.len();
        p.departments.push(Department {
            id: synth_id(created_at, rng),
            code: format!("SD{:06}", index + 1),
            name: format!("{prefix}{name}"),
            region,
            category,
        });
        if let Some(c) = CATEGORIES.iter().position(|c| c == category) {
            p.dept_by[region][c].get_or_insert(index);
        }
    }
    // Whatever nobody else handles goes to the general office (民政局 / 党政综合办公室).
    let general = p.dept_by[region][CATEGORIES.len() - 1];
    for slot in p.dept_by[region].iter_mut() {
        if slot.is_none() {
            *slot = general;
        }
    }
}

fn add_county(p: &mut Province, rng: &mut Rng, created_at: Millis, county: usize, code: &str, above: [usize; 3]) {
    // 12 to 18 towns a county: about 1,300 in all.
    let towns = 12 + rng.below(7);
    let county_name = p.regions[county].name.clone();
    for t in 0..towns {
        let suffix = match rng.below(10) {
            0..=1 => "街道",
            2 => "乡",
            _ => "镇",
        };
        let town_name = format!("{}{suffix}", place_name(rng));
        let town_code = format!("{code}{:03}", t + 1);
        let town = add_region(p, rng, created_at, &town_code, town_name.clone(), "town", Some(county));
        add_departments(p, rng, created_at, town, &town_name);
        let station_count = 2 + rng.below(3);
        let mut stations = Vec::new();
        for s in 0..station_count {
            stations.push(add_unit(
                p,
                rng,
                created_at,
                "station",
                None,
                format!("{town_name}人大代表联络站{}", s + 1),
                town,
            ));
        }
        let studio = add_unit(p, rng, created_at, "studio", Some("town"), format!("{town_name}政协委员工作室"), town);
        // 45 to 84 deputies a town, each serving at one of its stations.
        let mut deputies = Vec::new();
        for _ in 0..45 + rng.below(40) {
            let level = match rng.below(100) {
                0 => "provincial",
                1..=4 => "city",
                5..=29 => "county",
                _ => "town",
            };
            let unit = stations[rng.below(stations.len())];
            deputies.push(add_rep(p, rng, created_at, "congress", Some(level), town, unit));
        }
        let weight = 1 + (rng.next_u64() % 1000) as u32 * (rng.next_u64() % 1000) as u32 / 1000;
        p.towns.push(Town { region: town, ancestors: above, stations, studio, deputies, weight });
    }
    // Sector studios and the county's CPPCC members (about 150).
    let sector_studios: Vec<usize> = SECTORS[..5]
        .iter()
        .map(|sector| {
            let unit = add_unit(
                p,
                rng,
                created_at,
                "studio",
                Some("sector"),
                format!("{county_name}政协{sector}界别委员工作室"),
                county,
            );
            p.units[unit].sector = sector.to_string();
            unit
        })
        .collect();
    for _ in 0..120 + rng.below(60) {
        let unit = sector_studios[rng.below(sector_studios.len())];
        add_rep(p, rng, created_at, "cppcc", None, county, unit);
    }
}

fn add_unit(
    p: &mut Province,
    rng: &mut Rng,
    created_at: Millis,
    kind: &'static str,
    studio_kind: Option<&'static str>,
    name: String,
    region: usize,
) -> usize {
    let index = p.units.len();
    p.units.push(Unit {
        id: synth_id(created_at, rng),
        code: format!("SU{:06}", index + 1),
        kind,
        studio_kind,
        name,
        region,
        sector: String::new(),
    });
    index
}

fn add_rep(
    p: &mut Province,
    rng: &mut Rng,
    created_at: Millis,
    body: &'static str,
    level: Option<&'static str>,
    region: usize,
    unit: usize,
) -> usize {
    let index = p.representatives.len();
    p.representatives.push(Representative {
        id: synth_id(created_at, rng),
        code: format!("SR{:07}", index + 1),
        body,
        name: person_name(rng),
        gender: if rng.below(10) < 6 { "男" } else { "女" },
        level,
        region,
        mobile: mobile(rng),
        unit,
    });
    index
}
