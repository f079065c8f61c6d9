//! The staff account list, with its filter and the form that creates an account.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::auth::{CurrentUser, Permission, authorize};
use crate::components::layout::role_label;
use crate::components::{ErrorBanner, Layout, SelectField, TextField, submission_error};
use crate::domain::Role;
use crate::error::{AppError, FormErrors};
use crate::i18n::{Key, t};
use crate::page_title;
use crate::pages::forbidden::Forbidden;
use crate::pages::query_param;
use crate::request::{app_state, identity};
use crate::store::reference::Branch;
use crate::store::users::UserFilter;

/// Creates a staff account (admins; branch admins within their branch).
#[server(endpoint = "users/create")]
pub async fn create_user(
    username: String,
    display_name: String,
    role: String,
    branch: String,
    password: String,
) -> Result<(), AppError> {
    let actor = crate::request::require_user()?;
    let input = crate::users::UserInput {
        username,
        display_name,
        role,
        branch,
    };
    let id = crate::users::create_user(&app_state()?.db, Some(&actor), &input, &password).await?;
    leptos_axum::redirect(&format!("/admin/users/{id}?done=created"));
    Ok(())
}

/// Role choices the actor may grant, as select options.
pub fn role_options(actor: &CurrentUser) -> Vec<(String, String)> {
    crate::users::grantable_roles(actor)
        .into_iter()
        .map(|role| (role.code().to_owned(), t(role_label(role)).to_owned()))
        .collect()
}

/// Scope choices the actor may grant: HQ and every branch for an admin, their own branch otherwise.
pub fn branch_options(actor: &CurrentUser, branches: &[Branch]) -> Vec<(String, String)> {
    let mut options = Vec::new();
    if actor.role == Role::Admin {
        options.push((String::new(), t(Key::ScopeHq).to_owned()));
    }
    options.extend(
        branches
            .iter()
            .filter(|branch| {
                actor.role == Role::Admin || actor.branch.as_ref() == Some(&branch.code)
            })
            .map(|branch| {
                (
                    branch.code.to_string(),
                    format!("{} — {}", branch.code, branch.name),
                )
            }),
    );
    options
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let Some(actor) = identity().user else {
        return ().into_any();
    };
    if authorize(&actor, Permission::ViewUsers, None).is_err() {
        return view! {
            {page_title(Key::ForbiddenTitle)}
            <Layout current="/admin/users"><Forbidden /></Layout>
        }
        .into_any();
    }
    let error = submission_error::<CreateUser>();
    let form_errors: Option<FormErrors> = error.as_ref().and_then(AppError::form_errors).cloned();
    let banner = error.filter(|error| error.form_errors().is_none());
    let text = query_param("q").unwrap_or_default();
    let branch_filter = query_param("branch").unwrap_or_default();

    let content = Suspend::new(async move {
        let result: Result<AnyView, AppError> = async move {
        let state = app_state()?;
        let branches = state.db.list_branches().await?;
        let filter = UserFilter {
            branch: crate::domain::BranchCode::parse(&branch_filter).ok(),
            text: Some(text.clone()),
        };
        let users = crate::users::list_users(&state.db, &actor, filter).await?;
        let rows = users
            .into_iter()
            .map(|user| {
                let scope = user.branch.as_ref().map_or_else(|| t(Key::ScopeHq).to_owned(), ToString::to_string);
                let status = if user.active { Key::Active } else { Key::Inactive };
                let last = user.last_sign_in_at.map_or_else(|| t(Key::Never).to_owned(), crate::format::date_time);
                view! {
                    <tr class:row-muted=!user.active>
                        <td><a href=format!("/admin/users/{}", user.id)>{user.username.to_string()}</a></td>
                        <td>{user.display_name}</td>
                        <td>{t(role_label(user.role))}</td>
                        <td>{scope}</td>
                        <td><span class="badge" class:badge-off=!user.active>{t(status)}</span></td>
                        <td>{last}</td>
                    </tr>
                }
            })
            .collect_view();
        let mut filter_branches = vec![(String::new(), t(Key::AllBranches).to_owned())];
        if actor.role == Role::Admin {
            filter_branches.extend(branches.iter().map(|b| (b.code.to_string(), format!("{} — {}", b.code, b.name))));
        }
        let is_admin = actor.role == Role::Admin;
        Ok(view! {
            <section class="panel" aria-labelledby="list-heading">
                <h2 id="list-heading" class="visually-hidden">{t(Key::UsersTitle)}</h2>
                <form method="get" action="/admin/users" class="filters" role="search">
                    <TextField name="q" label=Key::FilterSearch value=text.clone() id_prefix="filter" />
                    {is_admin.then(|| view! {
                        <SelectField name="branch" label=Key::Branch options=filter_branches.clone() selected=branch_filter.clone() id_prefix="filter" />
                    })}
                    <button type="submit" class="button">{t(Key::Filter)}</button>
                </form>
                <div class="table-wrap">
                    <table class="table" data-testid="users-table">
                        <thead>
                            <tr>
                                <th scope="col">{t(Key::Username)}</th>
                                <th scope="col">{t(Key::DisplayName)}</th>
                                <th scope="col">{t(Key::Role)}</th>
                                <th scope="col">{t(Key::Scope)}</th>
                                <th scope="col">{t(Key::Status)}</th>
                                <th scope="col">{t(Key::LastSignIn)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
            <section class="panel narrow" aria-labelledby="create-heading">
                <h2 id="create-heading">{t(Key::NewUser)}</h2>
                <form action=CreateUser::PATH method="post" class="stack">
                    <TextField name="username" label=Key::Username required=true errors=form_errors.clone() />
                    <TextField name="display_name" label=Key::DisplayName errors=form_errors.clone() />
                    <SelectField name="role" label=Key::Role options=role_options(&actor) selected="branch_staff".to_owned() errors=form_errors.clone() />
                    <SelectField name="branch" label=Key::Branch options=branch_options(&actor, &branches) errors=form_errors.clone() />
                    <TextField name="password" label=Key::InitialPassword input_type="password" autocomplete="new-password"
                        required=true help=Key::InitialPasswordHelp errors=form_errors.clone() />
                    <button type="submit" class="button button-primary">{t(Key::Create)}</button>
                </form>
            </section>
        }
        .into_any())
        }
        .await;
        super::or_error_banner(result)
    });

    view! {
        {page_title(Key::UsersTitle)}
        <Layout current="/admin/users">
            <h1>{t(Key::UsersTitle)}</h1>
            <p class="lead">{t(Key::UsersIntro)}</p>
            <ErrorBanner error=banner />
            <Suspense fallback=|| ()>{content}</Suspense>
        </Layout>
    }
    .into_any()
}
