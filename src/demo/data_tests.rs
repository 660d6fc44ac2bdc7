//! Tests of the demo county data (kept beside `data.rs` to keep that file short).

use super::*;
use crate::domain::department::DepartmentInput;
use crate::domain::representative::RepresentativeInput;
use crate::domain::unit::UnitInput;
use crate::domain::user::{Role, UserInput};

fn all_unique<'a>(codes: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = HashSet::new();
    codes.into_iter().all(|c| seen.insert(c))
}

#[test]
fn the_county_has_the_expected_shape() {
    let c = demo_county();
    let level = |l: &str| c.regions.iter().filter(|r| r.level == l).count();
    assert_eq!((level("province"), level("city"), level("county"), level("town")), (1, 1, 1, 16));
    for (t, town) in TOWNS.iter().enumerate() {
        let villages = c.regions.iter().filter(|r| r.parent_code.as_deref() == Some(&town_code(t))).count();
        assert!((5..=12).contains(&villages), "{}: {villages}", town.name);
    }
    let studios: Vec<&UnitFields> = c.units.iter().filter(|u| u.kind == "studio").collect();
    let stations = c.units.iter().filter(|u| u.kind == "station").count();
    assert_eq!(studios.len(), 37);
    assert_eq!(studios.iter().filter(|u| u.studio_kind == "town").count(), 16);
    assert_eq!(studios.iter().filter(|u| u.studio_kind == "sector").count(), 21);
    assert_eq!(studios.iter().filter(|u| u.online == "是").count(), 9);
    assert!(stations >= 40, "{stations}");
    assert!((35..=45).contains(&c.departments.len()));
    assert!((250..=400).contains(&c.representatives.len()));
    let deputies = c.representatives.iter().filter(|r| r.body == "congress").count();
    println!(
        "regions {} (villages {}), stations {stations}, studios {}, departments {}, deputies {deputies}, members {}, users {}",
        c.regions.len(),
        level("village"),
        studios.len(),
        c.departments.len(),
        c.representatives.len() - deputies,
        c.users.len()
    );
}

#[test]
fn every_reference_resolves_and_every_code_is_unique() {
    let c = demo_county();
    let mut regions = HashSet::new();
    for r in &c.regions {
        assert!(r.parent_code.as_ref().is_none_or(|p| regions.contains(p)), "parent after child: {}", r.code);
        assert!(regions.insert(r.code.clone()), "duplicate region {}", r.code);
    }
    let units: HashSet<&str> = c.units.iter().map(|u| u.code.as_str()).collect();
    let region_codes = c
        .units
        .iter()
        .map(|u| &u.region_code)
        .chain(c.departments.iter().map(|d| &d.region_code))
        .chain(c.representatives.iter().map(|r| &r.region_code));
    for code in region_codes {
        assert!(regions.contains(code), "unknown region {code}");
    }
    for r in &c.representatives {
        for code in r.unit_codes.split(',') {
            assert!(units.contains(code), "{} serves at unknown unit {code}", r.code);
        }
    }
    assert!(all_unique(c.units.iter().map(|u| u.code.as_str())));
    assert!(all_unique(c.departments.iter().map(|d| d.code.as_str())));
    assert!(all_unique(c.representatives.iter().map(|r| r.code.as_str())));
    assert!(all_unique(c.representatives.iter().map(|r| r.mobile.as_str())));
    assert!(all_unique(c.users.iter().map(|u| u.fields.username.as_str())));
    let scopes: HashSet<&str> = units
        .iter()
        .copied()
        .chain(c.departments.iter().map(|d| d.code.as_str()))
        .chain(c.representatives.iter().map(|r| r.code.as_str()))
        .chain(regions.iter().map(String::as_str))
        .collect();
    for u in &c.users {
        let scope = u.fields.scope_code.as_str();
        assert!(scope.is_empty() || scopes.contains(scope), "{} has unknown scope {scope}", u.fields.username);
    }
}

#[test]
fn everything_parses_with_the_domain_parsers() {
    let c = demo_county();
    for u in &c.units {
        assert!(UnitInput::parse(u).is_ok(), "{u:?}: {:?}", UnitInput::parse(u).err());
    }
    for d in &c.departments {
        assert!(DepartmentInput::parse(d).is_ok(), "{d:?}: {:?}", DepartmentInput::parse(d).err());
    }
    for r in &c.representatives {
        assert!(RepresentativeInput::parse(r).is_ok(), "{r:?}: {:?}", RepresentativeInput::parse(r).err());
    }
    for u in &c.users {
        let parsed = UserInput::parse(&u.fields).unwrap_or_else(|e| panic!("{:?}: {e:?}", u.fields));
        assert_eq!(parsed.role.as_str(), u.role_label);
    }
    for role in Role::ALL {
        assert!(c.users.iter().any(|u| u.role_label == role.as_str()), "no demo user for {role:?}");
    }
    for r in &c.regions {
        let parent = r.parent_code.as_deref().unwrap_or("");
        assert!(crate::domain::region::RegionInput::parse(&r.code, &r.name, r.level, parent).is_ok(), "{r:?}");
    }
}

#[test]
fn it_is_deterministic_and_realistic() {
    let (a, b) = (demo_county(), demo_county());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
    let reps = &a.representatives;
    let count = |l: &str| reps.iter().filter(|r| r.level == l).count();
    assert_eq!([count("national"), count("provincial"), count("city"), count("county")], [2, 5, 20, 120]);
    let women = reps.iter().filter(|r| r.gender == "女").count() * 100 / reps.len();
    assert!((20..=40).contains(&women), "{women}% women");
    let closed = a.units.iter().filter(|u| u.active == "否").count();
    assert!((2..=3).contains(&closed));
    let streets: Vec<String> = (0..TOWNS.len()).filter(|&t| TOWNS[t].is_street()).map(town_code).collect();
    assert!(reps.iter().filter(|r| r.level == "town").all(|r| !streets.contains(&r.region_code)));
    for u in &a.users {
        println!("{:14} {:20} {:10} {}", u.fields.username, u.role_label, u.fields.scope_code, u.fields.display_name);
    }
}
