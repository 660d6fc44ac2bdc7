//! The member-studio directory for citizens: search and filters, a studio's page, a
//! member's profile, and the question form's promise to answer in 3 working days.

use minyi::domain::user::Scope;

use crate::http::spawn;
use crate::support::{actor, load_demo, sqlite};

#[tokio::test]
async fn the_directory_finds_studios_by_name_field_town_and_sector_and_leads_to_a_member() {
    let t = sqlite().await;
    load_demo(&t).await;
    let member = actor(&t, "member").await;
    let Scope::Representative { representative_id, .. } = member.scope().clone() else { panic!("a member") };
    let (rep, studio) = {
        let mut tx = t.read().await;
        let rep = minyi::db::representatives::get(&mut tx, &representative_id).await.unwrap().unwrap();
        let studio = minyi::db::units::get(&mut tx, rep.unit_ids.first().expect("the member's studio")).await;
        (rep, studio.unwrap().unwrap())
    };
    let server = spawn(t.app.clone()).await;
    let (status, all, _) = server.page("/studios").await;
    assert_eq!(status, 200);
    // How many studios a search found, on all its pages.
    let listed = |page: &str| -> usize {
        page.split("找到的工作室：").nth(1).and_then(|r| r.split('<').next()).and_then(|n| n.parse().ok()).unwrap()
    };
    let everyone = listed(&all);
    assert!(everyone > 10, "the demo's studios are listed: {everyone}");

    // Searching by the studio's own name finds it, and fewer than all.
    let (_, by_name, _) = server.page(&format!("/studios?q={}", studio.input.name)).await;
    assert!(by_name.contains(&format!("href=\"/studios/{}\"", studio.id)), "{by_name}");
    assert!(listed(&by_name) < everyone);
    // Each filter keeps only the studios that match it, this one among them.
    let town = &studio.region_name;
    let (_, by_town, _) = server.page(&format!("/studios?town={town}")).await;
    assert!(by_town.contains(&format!("href=\"/studios/{}\"", studio.id)), "{by_town}");
    assert!(listed(&by_town) < everyone, "the town filter narrows the list");
    if let Some(field) = studio.input.service_fields.first() {
        let (_, by_field, _) = server.page(&format!("/studios?field={field}")).await;
        assert!(by_field.contains(&format!("href=\"/studios/{}\"", studio.id)), "{by_field}");
    }
    if !studio.input.sector.is_empty() {
        let (_, by_sector, _) = server.page(&format!("/studios?sector={}", studio.input.sector)).await;
        assert!(by_sector.contains(&format!("href=\"/studios/{}\"", studio.id)), "{by_sector}");
        assert!(listed(&by_sector) < everyone, "the sector filter narrows the list");
    }
    let (_, nothing, _) = server.page("/studios?q=没有这个工作室").await;
    assert_eq!(listed(&nothing), 0);
    assert_eq!(nothing.matches("<a href=\"/studios/").count(), 0);
    assert!(nothing.contains("没有找到符合条件的工作室"), "{nothing}");

    // The studio's page lists the member; the profile leads to the addressed form.
    let (status, page, _) = server.page(&format!("/studios/{}", studio.id)).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("href=\"/members/{representative_id}\"")), "{page}");
    let (status, profile, _) = server.page(&format!("/members/{representative_id}")).await;
    assert_eq!(status, 200);
    assert!(profile.contains(&rep.input.name) && profile.contains("向这位委员提问"), "{profile}");
    assert!(profile.contains(&format!("href=\"/submit?representative={representative_id}\"")), "{profile}");
    let mobile = rep.input.mobile.as_ref().map(|m| m.as_str().to_string()).expect("the demo member has a mobile");
    assert!(!profile.contains(&mobile) && !page.contains(&mobile), "no personal data");

    // The form promises an answer in 3 working days: Monday 2 March 2026 (the fake clock) → Thursday 5 March.
    let (status, form, _) = server.page(&format!("/submit?representative={representative_id}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("委员将在3个工作日内答复（最迟 2026-03-05）"), "{form}");

    // The studio's own code opens its page, worded for a studio.
    let admin = actor(&t, "admin").await;
    let target = minyi::actions::codes::CodeTarget::Unit(studio.id.clone());
    let code = minyi::actions::codes::code_for(&t.app, &admin, &target).await.unwrap();
    let (status, landing, _) = server.page(&format!("/q/{code}")).await;
    assert_eq!(status, 200);
    assert!(landing.contains("向工作室提问") && landing.contains("工作室委员"), "{landing}");
    assert!(landing.contains(&format!("href=\"/submit?representative={representative_id}\"")), "{landing}");

    // A deputy is not in the member directory, and a station is not a studio.
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id: deputy_id, .. } = deputy.scope().clone() else { panic!() };
    assert_eq!(server.get(&format!("/members/{deputy_id}")).await.status(), 404);
    let (_, deputy_form, _) = server.page(&format!("/submit?representative={deputy_id}")).await;
    assert!(!deputy_form.contains("委员将在"), "no studio promise for a deputy");
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!() };
    assert_eq!(server.get(&format!("/studios/{unit_id}")).await.status(), 404);
}

/// The directory is paged; every studio is on exactly one page, and the page links
/// keep the search and filters.
#[tokio::test]
async fn the_directory_is_paged_and_its_page_links_keep_the_filters() {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    let links = |page: &str| -> Vec<String> {
        page.split("<a href=\"/studios/").skip(1).map(|rest| rest.split('"').next().unwrap().to_string()).collect()
    };
    let total = {
        let mut tx = t.read().await;
        minyi::db::units::active_studios(&mut tx).await.unwrap().len()
    };
    let size = minyi::actions::studios::DIRECTORY_PAGE_SIZE;
    assert!(total > size, "the demo needs more than a page of studios: {total}");
    let pages = total.div_ceil(size);
    let mut seen = Vec::new();
    for n in 1..=pages {
        let (status, page, _) = server.page(&format!("/studios?page={n}")).await;
        assert_eq!(status, 200);
        let here = links(&page);
        assert_eq!(here.len(), if n < pages { size } else { total - size * (pages - 1) }, "page {n}");
        assert!(page.contains(&format!("第 {n} 页，共 {pages} 页")), "{page}");
        assert!(page.contains(&format!("找到的工作室：{total}")), "the count is of every page");
        assert!(page.contains(&format!("<a href=\"/studios?page={n}#found\" aria-current=\"page\">")), "{page}");
        seen.extend(here);
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (total, total), "every studio once, none twice");
    // Past the end, or nonsense, is the nearest real page.
    let (_, last, _) = server.page(&format!("/studios?page={}", pages + 5)).await;
    assert!(last.contains(&format!("第 {pages} 页，共 {pages} 页")));
    let (_, first, _) = server.page("/studios?page=abc").await;
    assert_eq!(links(&first), links(&server.page("/studios").await.1));

    // A search of many studios ("委员工作室" is in every name) pages too, and its links keep it.
    let (_, searched, _) = server.page("/studios?q=%E5%A7%94%E5%91%98&sector=&page=2").await;
    let q = "q=%E5%A7%94%E5%91%98&#38;";
    assert!(searched.contains(&format!("href=\"/studios?{q}page=1#found\"")), "{searched}");
    assert!(searched.contains(&format!("href=\"/studios?{q}page=2#found\" aria-current=\"page\"")), "{searched}");
    // A filter that leaves one page shows no page links.
    let (_, narrow, _) = server.page("/studios?q=%E6%B2%A1%E6%9C%89").await;
    assert!(!narrow.contains("class=\"pager\""), "{narrow}");
}
