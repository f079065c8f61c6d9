//! The seed's reference data, readable by every signed-in user.

use leptos::prelude::*;

use crate::components::Layout;
use crate::error::AppError;
use crate::i18n::{Key, t, use_language};
use crate::page_title;
use crate::pages::or_error_banner;
use crate::request::app_state;
use crate::store::reference::{LookupEntry, LookupTable};

fn lookup_table(id: &'static str, title: Key, entries: Vec<LookupEntry>) -> impl IntoView {
    let language = use_language();
    let rows = entries
        .into_iter()
        .map(|entry| {
            view! {
                <tr>
                    <td class="num">{entry.id}</td>
                    <td>{entry.name(language).to_owned()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" aria-labelledby=id>
            <h2 id=id>{t(title)}</h2>
            <table class="table compact">
                <thead>
                    <tr>
                        <th scope="col" class="num">{t(Key::Id)}</th>
                        <th scope="col">{t(Key::Name)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

async fn reference_content() -> Result<AnyView, AppError> {
    let db = app_state()?.db.clone();
    let language = use_language();
    let branches = db.list_branches().await?;
    let categories = db.list_lookup(LookupTable::ServiceCategories).await?;
    let components = db.list_lookup(LookupTable::ServiceComponents).await?;
    let reasons = db.list_lookup(LookupTable::ServiceReasons).await?;
    let mut tables = Vec::new();
    for (id, title, table) in [
        ("types", Key::RequestTypes, LookupTable::RequestTypes),
        ("departments", Key::Departments, LookupTable::Departments),
        ("priorities", Key::Priorities, LookupTable::Priorities),
        ("statuses", Key::Statuses, LookupTable::TicketStatuses),
    ] {
        tables.push(lookup_table(id, title, db.list_lookup(table).await?));
    }

    let branch_rows = branches
        .into_iter()
        .map(|branch| {
            let known = if branch.url_host.is_empty() {
                t(Key::NotConfigured).to_owned()
            } else {
                format!("{}.tcrm.vn", branch.url_host)
            };
            let base = if branch.base_url.is_empty() {
                t(Key::NotConfigured).to_owned()
            } else {
                branch.base_url
            };
            view! {
                <tr>
                    <td><strong>{branch.code.to_string()}</strong></td>
                    <td>{branch.name}</td>
                    <td>{known}</td>
                    <td>{base}</td>
                </tr>
            }
        })
        .collect_view();

    // Service catalogue: one row per detail, with its component and category.
    let mut catalogue_rows = Vec::new();
    for category in &categories {
        for component in components
            .iter()
            .filter(|c| c.parent_id == Some(category.id))
        {
            let details: Vec<&LookupEntry> = reasons
                .iter()
                .filter(|r| r.parent_id == Some(component.id))
                .collect();
            let cells = if details.is_empty() {
                vec![None]
            } else {
                details.into_iter().map(Some).collect()
            };
            for reason in cells {
                catalogue_rows.push(view! {
                    <tr>
                        <td>{format!("{} · {}", category.id, category.name(language))}</td>
                        <td>{format!("{} · {}", component.id, component.name(language))}</td>
                        <td>{reason.map(|r| format!("{} · {}", r.id, r.name(language))).unwrap_or_default()}</td>
                    </tr>
                });
            }
        }
    }

    Ok(view! {
        <section class="panel" aria-labelledby="branches">
            <h2 id="branches">{t(Key::Branches)}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="branches-table">
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::BranchCode)}</th>
                            <th scope="col">{t(Key::BranchName)}</th>
                            <th scope="col">{t(Key::KnownHost)}</th>
                            <th scope="col">{t(Key::BaseUrl)}</th>
                        </tr>
                    </thead>
                    <tbody>{branch_rows}</tbody>
                </table>
            </div>
        </section>
        <div class="grid-2">{tables}</div>
        <section class="panel" aria-labelledby="catalogue">
            <h2 id="catalogue">{t(Key::ServiceCatalogue)}</h2>
            <div class="table-wrap">
                <table class="table compact">
                    <thead>
                        <tr>
                            <th scope="col">{t(Key::ServiceCategory)}</th>
                            <th scope="col">{t(Key::ServiceComponent)}</th>
                            <th scope="col">{t(Key::ServiceReason)}</th>
                        </tr>
                    </thead>
                    <tbody>{catalogue_rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any())
}

#[component]
pub fn ReferencePage() -> impl IntoView {
    let content = Suspend::new(async move { or_error_banner(reference_content().await) });
    view! {
        {page_title(Key::ReferenceTitle)}
        <Layout current="/reference">
            <h1>{t(Key::ReferenceTitle)}</h1>
            <p>
                <a href="/admin/sla">{t(Key::SlaTitle)} " →"</a>
                " · "
                <a href="/api-docs">{t(Key::ApiDocsLink)} " →"</a>
            </p>
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
}
