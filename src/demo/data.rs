//! The demo county: a county-level city modelled on Wenling (温岭市), Zhejiang,
//! with its 16 towns and streets, their villages and communities, 43 liaison
//! stations, 37 member studios (16 town, 21 sector; 9 online), 40 departments,
//! about 300 deputies and members, and one demo log-in per role.
//!
//! Everything is made from a fixed seed by a small SplitMix64 generator, so two
//! calls give the same county. The town names are real; villages, roads,
//! companies and people are plausible inventions. Pure data: no IO, no clock.

use crate::domain::meeting::MeetingFields;
use std::collections::HashSet;

use super::names::{self, DEPUTY_LEVELS, Job, TOWNS, Town};
use crate::domain::department::DepartmentFields;
use crate::domain::representative::RepresentativeFields;
use crate::domain::unit::UnitFields;
use crate::domain::user::UserFields;

pub const PROVINCE_CODE: &str = "330000";
pub const CITY_CODE: &str = "331000";
pub const COUNTY_CODE: &str = "331081";
/// The password of every demo log-in.
pub const DEMO_PASSWORD: &str = "minyi-demo-2026";
/// 石塘镇, the eleventh town in code order: the town the town-level demo log-ins belong to.
pub const DEMO_TOWN: usize = 10;

const SEED: u64 = 0x5765_6e6c_696e_6701;
/// Studios that have gone online: town names and sector names.
const ONLINE_STUDIOS: [&str; 9] =
    ["太平街道", "泽国镇", "松门镇", "箬横镇", "石塘镇", "民建", "工商联", "医卫", "共青团和青联"];
/// Village stations (town index, station index) that have closed.
const CLOSED_STATIONS: [(usize, usize); 3] = [(3, 1), (6, 2), (15, 1)];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRegion {
    pub code: String,
    pub name: String,
    /// "province" | "city" | "county" | "town" | "village"
    pub level: &'static str,
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DemoUser {
    pub fields: UserFields,
    /// The role code word, as in `fields.role`.
    pub role_label: &'static str,
}

#[derive(Debug, Clone)]
pub struct DemoCounty {
    /// Parents always come before their children.
    pub regions: Vec<DemoRegion>,
    pub units: Vec<UnitFields>,
    pub departments: Vec<DepartmentFields>,
    pub representatives: Vec<RepresentativeFields>,
    pub users: Vec<DemoUser>,
    pub meetings: Vec<DemoMeeting>,
}

/// A demo meeting, dated from the day the demo is loaded: `days` after it (before,
/// if negative), at `time` China time.
#[derive(Debug, Clone)]
pub struct DemoMeeting {
    pub days: i64,
    pub time: &'static str,
    pub fields: MeetingFields,
}

/// The code of a town by its index in the town list: 331081001…331081016.
pub fn town_code(town: usize) -> String {
    format!("{COUNTY_CODE}{:03}", town + 1)
}

/// Communities are numbered from 001, villages from 201, as official codes do.
fn village_code(town: usize, index: usize) -> String {
    let villages = TOWNS[town].villages;
    let communities = villages.iter().filter(|v| v.ends_with("社区")).count();
    let number = if index < communities { index + 1 } else { 201 + index - communities };
    format!("{}{number:03}", town_code(town))
}

pub fn demo_county() -> DemoCounty {
    let mut g = Gen { state: SEED, names: HashSet::new(), mobiles: HashSet::new() };
    let regions = regions();
    let stations = stations(&mut g);
    let studios = studios(&mut g);
    let departments = departments(&mut g);
    let mut representatives = deputies(&mut g, &stations);
    representatives.extend(members(&mut g, &studios));
    let units: Vec<UnitFields> =
        stations.into_iter().map(|s| s.fields).chain(studios.into_iter().map(|s| s.fields)).collect();
    let users = users(&units, &departments, &representatives);
    let meetings = meetings(&units, &representatives);
    DemoCounty { regions, units, departments, representatives, users, meetings }
}

/// Two planned meetings (the first station's 督政会 and the town studio's 民生议事堂)
/// and one already held; and reception days at two stations.
fn meetings(units: &[UnitFields], representatives: &[RepresentativeFields]) -> Vec<DemoMeeting> {
    let station = &units[0];
    let studio =
        units.iter().find(|u| u.studio_kind == "town" && u.region_code == town_code(DEMO_TOWN)).expect("town studio");
    let meeting = |days, time, unit: &UnitFields, kind: &str, title: &str, agenda: &str| DemoMeeting {
        days,
        time,
        fields: MeetingFields {
            unit_code: unit.code.clone(),
            kind: kind.into(),
            title: title.into(),
            place: format!("{}会议室", unit.name),
            agenda: agenda.into(),
            ..MeetingFields::default()
        },
    };
    let mut out = vec![
        meeting(
            7,
            "09:30",
            station,
            "supervision",
            "老旧小区加装电梯推进情况督政会",
            "市住房和城乡建设局通报加装电梯进展；居民代表提问；代表评议。",
        ),
        meeting(
            12,
            "14:30",
            studio,
            "consultation",
            "渔港码头环境整治民生议事堂",
            "听取渔民意见；政协委员与镇街、部门协商整治方案。",
        ),
        meeting(-20, "09:00", station, "deliberation", "农贸市场周边停车议事会", "商议市场周边临时停车位设置。"),
    ];
    // Reception days (接待日) at the first two stations: held ones with who came and who
    // received them, one past day never marked held, and the next one planned.
    let second = units.iter().filter(|u| u.kind == "station").nth(1).expect("a second station");
    for (unit, days, state, citizens) in [
        (station, -28, "held", "9"),
        (station, -14, "held", "6"),
        (station, -7, "planned", ""),
        (station, 7, "planned", ""),
        (second, -21, "held", "4"),
        (second, 14, "planned", ""),
    ] {
        let serving: Vec<&str> = representatives
            .iter()
            .filter(|r| r.unit_codes.split(',').any(|c| c == unit.code))
            .take(2)
            .map(|r| r.name.as_str())
            .collect();
        let mut day = meeting(days, "09:00", unit, "reception", "代表接待日", "代表面对面听取群众意见建议。");
        day.fields.place = format!("{}接待室", unit.name);
        day.fields.state = state.into();
        if state == "held" {
            day.fields.citizens = citizens.into();
            day.fields.representatives = serving.join("、");
        }
        out.push(day);
    }
    out
}

fn regions() -> Vec<DemoRegion> {
    let region = |code: String, name: &str, level, parent: Option<String>| DemoRegion {
        code,
        name: name.to_string(),
        level,
        parent_code: parent,
    };
    let mut out = vec![
        region(PROVINCE_CODE.into(), "浙江省", "province", None),
        region(CITY_CODE.into(), "台州市", "city", Some(PROVINCE_CODE.into())),
        region(COUNTY_CODE.into(), "温岭市", "county", Some(CITY_CODE.into())),
    ];
    for (t, town) in TOWNS.iter().enumerate() {
        out.push(region(town_code(t), town.name, "town", Some(COUNTY_CODE.into())));
    }
    for (t, town) in TOWNS.iter().enumerate() {
        for (v, village) in town.villages.iter().enumerate() {
            out.push(region(village_code(t, v), village, "village", Some(town_code(t))));
        }
    }
    out
}

/// A unit with what the generators of representatives need to know about it.
struct Placed {
    fields: UnitFields,
    town: Option<usize>,
    sector: Option<usize>,
}

fn stations(g: &mut Gen) -> Vec<Placed> {
    let mut out = Vec::new();
    for (t, town) in TOWNS.iter().enumerate() {
        for k in 0..town.stations {
            let code = format!("LLZ-{:03}", out.len() + 1);
            let (name, region_code, address, phone) = if k == 0 {
                let address = format!("温岭市{}{}{}号", town.name, g.word(town.roads), 1 + g.below(300));
                (format!("{}人大代表联络站", town.name), town_code(t), address, g.landline())
            } else {
                let v = k * town.villages.len() / town.stations;
                let village = town.villages[v];
                let hall = if village.ends_with("社区") { "党群服务中心" } else { "文化礼堂" };
                let address = format!("温岭市{}{village}{hall}", town.name);
                (format!("{}{village}人大代表联络站", town.name), village_code(t, v), address, g.mobile())
            };
            let mut service: Vec<&str> = town.focus[..2].to_vec();
            for _ in 0..2 {
                let field = g.word(&names::COMMON_FIELDS);
                if !service.contains(&field) {
                    service.push(field);
                }
            }
            let closed = CLOSED_STATIONS.contains(&(t, k));
            let fields = UnitFields {
                code,
                kind: "station".into(),
                name,
                region_code,
                address,
                opening_hours: g.word(&names::OPENING_HOURS).to_string(),
                reception_days: g.word(&names::RECEPTION_DAYS).to_string(),
                contact_name: g.contact(),
                contact_phone: phone,
                service_fields: service.join(","),
                active: if closed { "否" } else { "是" }.into(),
                ..UnitFields::default()
            };
            out.push(Placed { fields, town: Some(t), sector: None });
        }
    }
    out
}

fn studios(g: &mut Gen) -> Vec<Placed> {
    let mut out = Vec::new();
    let mut studio = |g: &mut Gen, town: Option<usize>, sector: Option<usize>| {
        let code = format!("WYS-{:03}", out.len() + 1);
        // Sector studios sit in the four central streets.
        let home = &TOWNS[town.unwrap_or_else(|| g.below(4))];
        let address = format!("温岭市{}{}{}号", home.name, g.word(home.roads), 1 + g.below(300));
        let (kind, name, region_code, label, service, sector_name) = match (town, sector) {
            (Some(t), _) => {
                let name = format!("{}政协委员工作室", home.name);
                ("town", name, town_code(t), home.name, home.focus.join(","), "")
            }
            (None, Some(s)) => {
                let (sector, service, _) = names::SECTORS[s];
                ("sector", format!("{sector}委员工作室"), COUNTY_CODE.to_string(), sector, service.to_string(), sector)
            }
            (None, None) => unreachable!("a studio serves a town or a sector"),
        };
        let fields = UnitFields {
            code,
            kind: "studio".into(),
            studio_kind: kind.into(),
            name,
            region_code,
            address,
            opening_hours: g.word(&names::OPENING_HOURS).to_string(),
            reception_days: g.word(&names::RECEPTION_DAYS).to_string(),
            contact_name: g.contact(),
            contact_phone: g.landline(),
            service_fields: service,
            sector: sector_name.into(),
            online: if ONLINE_STUDIOS.contains(&label) { "是" } else { "否" }.into(),
            active: "是".into(),
        };
        out.push(Placed { fields, town, sector });
    };
    for t in 0..TOWNS.len() {
        studio(g, Some(t), None);
    }
    for s in 0..names::SECTORS.len() {
        studio(g, None, Some(s));
    }
    out
}

fn departments(g: &mut Gen) -> Vec<DepartmentFields> {
    let mut out = Vec::new();
    for (name, fields, congress) in names::CITY_DEPARTMENTS {
        out.push(DepartmentFields {
            code: format!("BM-{:03}", out.len() + 1),
            name: name.into(),
            region_code: COUNTY_CODE.into(),
            fields: fields.into(),
            supervising_office: if congress { "市人大常委会办公室" } else { "市政府督查室" }.into(),
            contact_phone: g.landline(),
            active: "是".into(),
        });
    }
    for (t, office, fields) in names::TOWN_DEPARTMENTS {
        let town = &TOWNS[t];
        let supervisor = if town.is_street() { "人大工委" } else { "人大主席团" };
        out.push(DepartmentFields {
            code: format!("BM-{:03}", out.len() + 1),
            name: format!("{}{office}", town.name),
            region_code: town_code(t),
            fields: fields.into(),
            supervising_office: format!("{}{supervisor}", town.name),
            contact_phone: g.landline(),
            active: "是".into(),
        });
    }
    out
}

const MEMBERS: usize = 100;

fn deputies(g: &mut Gen, stations: &[Placed]) -> Vec<RepresentativeFields> {
    let mut out = Vec::new();
    for (level, count, jobs) in DEPUTY_LEVELS {
        for _ in 0..count {
            // Streets have no congress of their own: town deputies live in towns.
            let t =
                g.weighted(TOWNS.iter().map(|town| if level == "town" && town.is_street() { 0 } else { town.weight }));
            let town = &TOWNS[t];
            let job = jobs[g.weighted(jobs.iter().map(|(_, w)| *w))].0;
            let female = g.chance(30);
            let name = g.person(female);
            let (title, concern) = title(g, job, town);
            let open: Vec<&Placed> = stations.iter().filter(|s| s.town == Some(t) && s.fields.active == "是").collect();
            let first = g.below(open.len());
            let mut serving = vec![open[first].fields.code.clone()];
            if open.len() > 1 && g.chance(40) {
                serving.push(open[(first + 1 + g.below(open.len() - 1)) % open.len()].fields.code.clone());
            }
            let congress = match level {
                "national" => "第十四届全国",
                "provincial" => "浙江省第十四届",
                "city" => "台州市",
                "county" => "温岭市",
                _ => town.name,
            };
            let focus = g.word(town.focus);
            let profile = format!(
                "{congress}人民代表大会代表，{title}。长期关注{concern}和{focus}等问题，定期到{}接待选民、收集民意。",
                open[first].fields.name
            );
            let number = out.len() + 1;
            out.push(RepresentativeFields {
                code: format!("DB-{number:04}"),
                body: "congress".into(),
                name,
                gender: if female { "女" } else { "男" }.into(),
                level: level.into(),
                region_code: town_code(t),
                title,
                mobile: g.mobile(),
                profile,
                unit_codes: serving.join(","),
                active: if number % 67 == 0 { "否" } else { "是" }.into(),
                ..RepresentativeFields::default()
            });
        }
    }
    out
}

fn members(g: &mut Gen, studios: &[Placed]) -> Vec<RepresentativeFields> {
    let mut out = Vec::new();
    for i in 0..MEMBERS {
        let s = g.weighted(names::SECTORS.iter().map(|(_, _, w)| *w));
        let sector = names::SECTORS[s].0;
        let t = g.weighted(TOWNS.iter().map(|town| town.weight));
        let town = &TOWNS[t];
        let job = *g.pick(names::sector_jobs(sector));
        let female = g.chance(30);
        let name = g.person(female);
        let (title, concern) = title(g, job, town);
        let sector_studio = studios.iter().find(|u| u.sector == Some(s)).expect("every sector has a studio");
        let mut serving = vec![sector_studio.fields.code.clone()];
        if g.chance(50) {
            let town_studio = studios.iter().find(|u| u.town == Some(t)).expect("every town has a studio");
            serving.push(town_studio.fields.code.clone());
        }
        let profile = format!(
            "政协温岭市委员会委员（{sector}界别），{title}。围绕{concern}积极建言献策，常在{}开展委员履职活动。",
            sector_studio.fields.name
        );
        out.push(RepresentativeFields {
            code: format!("WY-{:04}", i + 1),
            body: "cppcc".into(),
            name,
            gender: if female { "女" } else { "男" }.into(),
            sector: sector.into(),
            region_code: town_code(t),
            title,
            mobile: g.mobile(),
            profile,
            unit_codes: serving.join(","),
            active: "是".into(),
            ..RepresentativeFields::default()
        });
    }
    out
}

/// A title such as "温岭市华锐泵业有限公司董事长", and a concern for the profile.
fn title(g: &mut Gen, job: Job, town: &Town) -> (String, &'static str) {
    let job = if job == Job::Fisher && !town.coastal { Job::Farmer } else { job };
    let (templates, concerns) = job.templates();
    let village = g.word(town.villages);
    let fits = [if town.is_street() { "街:" } else { "镇:" }, if village.ends_with("社区") { "社:" } else { "村:" }];
    let options: Vec<&str> = templates
        .iter()
        .filter_map(|t| match ["镇:", "街:", "社:", "村:"].iter().find(|tag| t.starts_with(**tag)) {
            Some(tag) => fits.contains(tag).then(|| &t[tag.len()..]),
            None => Some(*t),
        })
        .collect();
    let bureaus: Vec<&str> = names::CITY_DEPARTMENTS
        .iter()
        .map(|(n, _, _)| *n)
        .filter(|n| n.starts_with('市') && n.ends_with('局'))
        .collect();
    let crop = town.trades.iter().find_map(|t| t.strip_suffix("种植")).unwrap_or("果蔬");
    let title = g
        .word(&options)
        .replace("{b}", g.word(&names::BRANDS))
        .replace("{t}", g.word(town.trades))
        .replace("{p}", town.name)
        .replace("{v}", village)
        .replace("{c}", crop)
        .replace("{x}", g.word(&bureaus));
    (title, g.word(concerns))
}

fn users(units: &[UnitFields], departments: &[DepartmentFields], reps: &[RepresentativeFields]) -> Vec<DemoUser> {
    let town = &TOWNS[DEMO_TOWN];
    let station = &units[0];
    let studio =
        units.iter().find(|u| u.studio_kind == "town" && u.region_code == town_code(DEMO_TOWN)).expect("town studio");
    let serves = |r: &RepresentativeFields, code: &str| r.unit_codes.split(',').any(|c| c == code);
    let deputy = reps
        .iter()
        .find(|r| r.level == "county" && r.active == "是" && serves(r, &station.code))
        .expect("a county deputy serves at the first station");
    let member =
        reps.iter().find(|r| r.body == "cppcc" && serves(r, &studio.code)).expect("a member serves at the town studio");
    let handler = departments.iter().find(|d| d.name == "市交通运输局").expect("transport bureau");
    let town_handler = departments
        .iter()
        .find(|d| d.region_code == town_code(DEMO_TOWN) && d.name.ends_with("海洋与渔业办公室"))
        .expect("the town's fisheries office");
    let user = |username: &str, display_name: String, role: &'static str, scope: &str| DemoUser {
        fields: UserFields {
            username: username.into(),
            display_name,
            role: role.into(),
            scope_code: scope.into(),
            password: DEMO_PASSWORD.into(),
            active: "是".into(),
        },
        role_label: role,
    };
    vec![
        user("admin", "系统管理员".into(), "system_admin", ""),
        user("office", "温岭市人大常委会办公室".into(), "office_admin", COUNTY_CODE),
        user("cppcc-office", "政协温岭市委员会办公室".into(), "office_admin", COUNTY_CODE),
        // 石塘镇 (331081011): a town office sees only its own subtree.
        user("town-office", format!("{}人大主席团", town.name), "office_admin", &town_code(DEMO_TOWN)),
        user("keeper", station.name.clone(), "unit_keeper", &station.code),
        user("studio-keeper", studio.name.clone(), "unit_keeper", &studio.code),
        user("deputy", format!("{}代表", deputy.name), "representative", &deputy.code),
        user("member", format!("{}委员", member.name), "representative", &member.code),
        user("handler", handler.name.clone(), "department_handler", &handler.code),
        user("town-handler", town_handler.name.clone(), "department_handler", &town_handler.code),
    ]
}

/// A SplitMix64 generator with memory: names and mobile numbers are never handed out twice.
struct Gen {
    state: u64,
    names: HashSet<String>,
    mobiles: HashSet<String>,
}

impl Gen {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn word<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn weighted(&mut self, weights: impl Iterator<Item = u32> + Clone) -> usize {
        let total: u32 = weights.clone().sum();
        let mut roll = (self.next() % u64::from(total)) as u32;
        for (i, w) in weights.enumerate() {
            if roll < w {
                return i;
            }
            roll -= w;
        }
        unreachable!("the roll is below the total")
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }

    /// Whoever answers a unit's telephone: 40% women.
    fn contact(&mut self) -> String {
        let female = self.chance(40);
        self.person(female)
    }

    /// A Chinese name, surname plus one or two characters, unique in the county.
    fn person(&mut self, female: bool) -> String {
        loop {
            let surname = names::SURNAMES[self.weighted(names::SURNAMES.iter().map(|(_, w)| *w))].0;
            let chars: &[&str] = if female { &names::FEMALE_CHARS } else { &names::MALE_CHARS };
            let mut name = format!("{surname}{}", self.word(chars));
            if self.chance(75) {
                name.push_str(self.word(chars));
            }
            if self.names.insert(name.clone()) {
                return name;
            }
        }
    }

    /// A mainland mobile number, 1[3-9] and nine more digits, unique in the county.
    fn mobile(&mut self) -> String {
        const PREFIXES: &str = "130 133 135 136 137 138 139 150 151 157 158 159 177 187 188 199";
        loop {
            let prefix = self.below(PREFIXES.len().div_ceil(4)) * 4;
            let number = format!("{}{}", &PREFIXES[prefix..prefix + 3], self.digits(8));
            if self.mobiles.insert(number.clone()) {
                return number;
            }
        }
    }

    /// A Wenling landline: 0576 and eight digits starting 8.
    fn landline(&mut self) -> String {
        let exchange = self.word(&["86", "89", "81"]);
        format!("0576-{exchange}{}", self.digits(6))
    }
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;
