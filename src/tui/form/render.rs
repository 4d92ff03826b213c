//! Drawing the declaration form: the steps bar, the fields of the step with their errors (the
//! focused text field drawn by its `ratatui-textarea` editor), the titulaires list and its roster
//! search, the review's problems, the submission status and the keys to go on.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::fields::{Field, FieldKind};
use super::{Form, Problem, Roster, Submission, summary};
use crate::domain::ids::Nir;
use crate::drafts::DraftStep;
use crate::tui::remote::Remote;
use crate::tui::theme::Theme;
use crate::tui::widgets::sanitize;

/// Width of the label column: marker, space, label (26), space.
const LABEL_WIDTH: u16 = 29;

/// Greedy word wrap to `width` characters (at least one character per line), at ASCII spaces
/// only: a no-break space (French « guillemets ») keeps its words together.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
    {
        let mut word = word.to_owned();
        loop {
            let used = line.chars().count();
            let len = word.chars().count();
            if used == 0 && len > width {
                let head: String = word.chars().take(width).collect();
                word = word.chars().skip(width).collect();
                lines.push(head);
                continue;
            }
            if used > 0 && used + 1 + len > width {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            if used > 0 {
                line.push(' ');
            }
            line.push_str(&word);
            break;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// `text` cut to `width` characters, with `…` when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One drawn line, and the focus position it belongs to (to scroll it into view).
struct Row {
    line: Line<'static>,
    focus: Option<usize>,
}

/// Draws the form in `area`.
pub fn render(
    form: &Form,
    roster: &Remote<Roster>,
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
    let title = format!(
        " Déclaration — {} · {} ",
        form.kind.label(),
        form.declarant.label()
    );
    let block = Block::bordered().title(Span::styled(title, theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 4 || inner.width < 20 {
        return;
    }
    let hints = hints(form);
    let hint_lines: Vec<String> = wrap(&hints, usize::from(inner.width));
    let hint_height = hint_lines.len().min(2) as u16;
    let (status_text, status_style) = status(form, theme);
    let status_lines: Vec<String> = wrap(&status_text, usize::from(inner.width))
        .into_iter()
        .take(2)
        .collect();
    let [steps_area, body_area, status_area, hint_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(status_lines.len() as u16),
        Constraint::Length(hint_height),
    ])
    .areas(inner);
    let problems = form.problems();
    frame.render_widget(
        Paragraph::new(steps_line(form, problems.len(), theme)),
        steps_area,
    );
    match form.step {
        DraftStep::Training => {
            let fields = form.training_fields();
            let focus = form.focused().map(|_| form.focus);
            fields_block(
                form, &problems, &fields, None, focus, frame, body_area, theme,
            );
        }
        DraftStep::Titulaires => titulaires(form, &problems, frame, body_area, theme),
        DraftStep::Review => review(form, &problems, frame, body_area, theme),
    }
    let status_lines: Vec<Line> = status_lines
        .into_iter()
        .map(|l| Line::styled(l, status_style))
        .collect();
    frame.render_widget(Paragraph::new(status_lines), status_area);
    let hint_text: Vec<Line> = hint_lines
        .into_iter()
        .take(2)
        .map(|l| Line::styled(l, theme.muted))
        .collect();
    frame.render_widget(Paragraph::new(hint_text), hint_area);
    if form.picker.is_some() {
        picker(form, roster, frame, body_area, theme);
    }
}

fn steps_line(form: &Form, problems: usize, theme: &Theme) -> Line<'static> {
    let steps = [
        (DraftStep::Training, "1 Formation".to_owned()),
        (
            DraftStep::Titulaires,
            format!("2 Titulaires ({})", form.titulaires().len()),
        ),
        (
            DraftStep::Review,
            match problems {
                0 => "3 Vérification ✔".to_owned(),
                n => format!("3 Vérification ({n} à corriger)"),
            },
        ),
    ];
    let mut spans = Vec::new();
    for (i, (step, label)) in steps.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" › ", theme.muted));
        }
        let style = if step == form.step {
            theme.selection
        } else {
            theme.muted
        };
        spans.push(Span::styled(format!(" {label} "), style));
    }
    Line::from(spans)
}

/// Draws a group of fields (the training block, or one titulaire's), scrolled to the focus.
#[allow(clippy::too_many_arguments)]
fn fields_block(
    form: &Form,
    problems: &[Problem],
    fields: &[Field],
    titulaire: Option<usize>,
    focus: Option<usize>,
    frame: &mut Frame<'_>,
    area: Rect,
    theme: &Theme,
) {
    let width = usize::from(area.width);
    let value_width = width.saturating_sub(usize::from(LABEL_WIDTH)).max(1);
    let mut rows: Vec<Row> = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let focused = focus == Some(index);
        let errors = form.errors_of(problems, *field, titulaire);
        let marker = match (focused, errors.is_empty()) {
            (true, _) => "›",
            (false, false) => "✖",
            (false, true) => " ",
        };
        let label_style = if focused { theme.title } else { theme.text };
        let mut spans = vec![
            Span::styled(
                format!("{marker} "),
                if errors.is_empty() {
                    theme.title
                } else {
                    theme.error
                },
            ),
            Span::styled(format!("{:<27}", truncate(field.label(), 26)), label_style),
        ];
        spans.push(value_span(
            form,
            *field,
            titulaire,
            focused,
            value_width,
            theme,
        ));
        rows.push(Row {
            line: Line::from(spans),
            focus: Some(index),
        });
        // The help, unless an error already says it.
        if focused
            && errors.is_empty()
            && let Some(help) = field.help()
        {
            for part in wrap(&help, width.saturating_sub(4)) {
                rows.push(Row {
                    line: Line::styled(format!("    {part}"), theme.muted),
                    focus: Some(index),
                });
            }
        }
        for message in errors {
            for (i, part) in wrap(&sanitize(&message), width.saturating_sub(6))
                .into_iter()
                .enumerate()
            {
                let lead = if i == 0 { "    ✖ " } else { "      " };
                rows.push(Row {
                    line: Line::styled(format!("{lead}{part}"), theme.error),
                    focus: Some(index),
                });
            }
        }
        for message in form.warnings_of(*field, titulaire) {
            for (i, part) in wrap(&sanitize(&message), width.saturating_sub(6))
                .into_iter()
                .enumerate()
            {
                let lead = if i == 0 { "    ! " } else { "      " };
                rows.push(Row {
                    line: Line::styled(format!("{lead}{part}"), theme.expiring),
                    focus: Some(index),
                });
            }
        }
    }
    let height = usize::from(area.height);
    let offset = scroll_offset(&rows, focus, height);
    let visible: Vec<Line> = rows
        .iter()
        .skip(offset)
        .take(height)
        .map(|r| r.line.clone())
        .collect();
    frame.render_widget(Paragraph::new(visible), area);
    // The focused text field: its editor, over the value column, and its length counter.
    if let (Some(index), Some(editor)) = (focus, form.editor())
        && let Some(row) = rows.iter().position(|r| r.focus == Some(index))
        && row >= offset
        && row < offset + height
    {
        let counter = fields.get(index).and_then(|field| {
            let max = field
                .max_input()
                .filter(|_| field.kind() != FieldKind::Date)?;
            let length = field.input_length(form.text(*field, titulaire));
            Some(format!(" {length}/{max}"))
        });
        let counter_width = counter.as_ref().map_or(0, |c| c.chars().count() as u16);
        let rect = Rect {
            x: area.x + LABEL_WIDTH.min(area.width),
            y: area.y + (row - offset) as u16,
            width: area
                .width
                .saturating_sub(LABEL_WIDTH)
                .saturating_sub(counter_width),
            height: 1,
        };
        frame.render_widget(Clear, rect);
        frame.render_widget(editor, rect);
        if let Some(counter) = counter {
            let at = Rect {
                x: rect.x + rect.width,
                width: counter_width.min(area.width.saturating_sub(LABEL_WIDTH)),
                ..rect
            };
            frame.render_widget(Clear, at);
            frame.render_widget(Paragraph::new(Span::styled(counter, theme.muted)), at);
        }
    }
}

/// First row to draw so that the focused field (and its first error) is visible.
fn scroll_offset(rows: &[Row], focus: Option<usize>, height: usize) -> usize {
    let Some(focus) = focus else { return 0 };
    let Some(first) = rows.iter().position(|r| r.focus == Some(focus)) else {
        return 0;
    };
    let last = rows
        .iter()
        .rposition(|r| r.focus == Some(focus))
        .unwrap_or(first);
    let last = last.min(first + height.saturating_sub(1));
    if last < height { 0 } else { last + 1 - height }
}

fn value_span(
    form: &Form,
    field: Field,
    titulaire: Option<usize>,
    focused: bool,
    width: usize,
    theme: &Theme,
) -> Span<'static> {
    if field.kind() == FieldKind::Choice {
        return match (form.choice_label(field, titulaire), focused) {
            (Some(label), true) => {
                Span::styled(truncate(&format!("‹ {label} ›"), width), theme.selection)
            }
            (Some(label), false) => Span::styled(truncate(label, width), theme.text),
            (None, true) => Span::styled("‹ — à choisir — ›", theme.selection),
            (None, false) => Span::styled("— à choisir —", theme.muted),
        };
    }
    let text = form.text(field, titulaire);
    if text.is_empty() {
        // Without colour, dim alone is drawn at normal intensity by many consoles: italic too,
        // so that the hint does not read as a value typed.
        let hint = if theme.monochrome {
            theme.muted.add_modifier(Modifier::ITALIC)
        } else {
            theme.muted
        };
        Span::styled(truncate(field.placeholder(), width), hint)
    } else if field == Field::Nir {
        Span::styled(
            truncate(&shown_nir(text, form.reveal_nir), width),
            theme.text,
        )
    } else {
        Span::styled(truncate(&sanitize(text), width), theme.text)
    }
}

/// A typed NIR as the detail shows it: masked like every list (`1 85 03 •• ••• ••• ••`), or with
/// `v` in full and grouped (`1 85 03 75 112 345 94`), the same whatever its source; a NIR that
/// does not read is all bullets, or as typed once shown.
fn shown_nir(text: &str, reveal: bool) -> String {
    match (text.parse::<Nir>(), reveal) {
        (Ok(nir), true) => nir.to_string(),
        (Ok(nir), false) => nir.masked(),
        (Err(_), true) => sanitize(text),
        (Err(_), false) => "•".repeat(text.chars().filter(|c| !c.is_whitespace()).count()),
    }
}

fn masked_nir(text: &str) -> String {
    if text.trim().is_empty() {
        "—".to_owned()
    } else {
        text.parse::<Nir>()
            .map_or_else(|_| "NIR invalide".to_owned(), |nir| nir.masked())
    }
}

fn titulaires(form: &Form, problems: &[Problem], frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let list = form.titulaires();
    let selected = form.selected_titulaire();
    let detail_height = if list.is_empty() {
        0
    } else {
        (form.titulaire_fields(selected).len() as u16 + 4).min(area.height / 2 + 2)
    };
    let list_height = (list.len() as u16 + 2)
        .max(3)
        .min(area.height.saturating_sub(detail_height));
    let [list_area, detail_area, _] = Layout::vertical([
        Constraint::Length(list_height),
        Constraint::Length(detail_height),
        Constraint::Min(0),
    ])
    .areas(area);
    let on_list = form.focused().is_none();
    if list.is_empty() {
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(""),
                Line::styled(
                    " Aucun titulaire : a pour en saisir un (NIR et nom de naissance), / pour le chercher dans l'effectif.",
                    theme.muted,
                ),
            ])
            .wrap(ratatui::widgets::Wrap { trim: true }),
            list_area,
        );
    } else {
        let width = usize::from(list_area.width);
        let name_width = width.saturating_sub(4 + 22 + 22).clamp(8, 30);
        let mut lines = vec![Line::styled(
            format!(
                "   n° {:<name_width$} {:<22} Employeur",
                "Nom de naissance", "NIR"
            ),
            theme.title,
        )];
        let height = usize::from(list_area.height.saturating_sub(1));
        let offset = if selected >= height {
            selected + 1 - height
        } else {
            0
        };
        for (index, t) in list.iter().enumerate().skip(offset).take(height) {
            let prefix = format!("titulaires[{index}].");
            let has_error = form.shows_errors_of(&format!("{prefix}NIR"))
                && problems.iter().any(|p| p.key.starts_with(&prefix))
                || form
                    .server_errors()
                    .iter()
                    .any(|e| e.field.starts_with(&prefix));
            let marker = if has_error { "✖" } else { " " };
            let employer = match t.presence_employeur() {
                Some(true) => format!("oui {}", sanitize(t.text(Field::SiretEmployeur))),
                Some(false) => "non".to_owned(),
                None => "—".to_owned(),
            };
            let name = sanitize(t.text(Field::NomTitulaire)).to_uppercase();
            let text = format!(
                "{marker} {:>2} {:<name_width$} {:<22} {employer}",
                index + 1,
                truncate(
                    if name.is_empty() { "(sans nom)" } else { &name },
                    name_width
                ),
                masked_nir(t.text(Field::Nir)),
            );
            let style = if index == selected && on_list {
                theme.selection
            } else if index == selected {
                theme.title
            } else {
                theme.text
            };
            lines.push(Line::styled(truncate(&text, width), style));
        }
        frame.render_widget(Paragraph::new(lines), list_area);
    }
    if detail_height > 0 {
        let [_, title_area, fields_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(1),
            Constraint::Min(1),
        ])
        .areas(detail_area);
        let name = sanitize(
            list.get(selected)
                .map_or("", |t| t.text(Field::NomTitulaire)),
        )
        .to_uppercase();
        frame.render_widget(
            Paragraph::new(Line::styled(
                truncate(
                    &format!("── Titulaire n° {} {name} ", selected + 1),
                    usize::from(title_area.width),
                ),
                theme.muted,
            )),
            title_area,
        );
        let fields = form.titulaire_fields(selected);
        let focus = form.focused().map(|_| form.focus - 1);
        fields_block(
            form,
            problems,
            &fields,
            Some(selected),
            focus,
            frame,
            fields_area,
            theme,
        );
    }
}

fn review(form: &Form, problems: &[Problem], frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let width = usize::from(area.width);
    let count = form.titulaires().len();
    let mut summary = format!(
        " {} · {} titulaire{}",
        capital(form.kind.label()),
        count,
        if count > 1 { "s" } else { "" }
    );
    if let Some(due) = form.due_date {
        summary.push_str(&format!(" · délai : {}", due.format("%d/%m/%Y")));
    }
    let mut lines = vec![Line::styled(truncate(&summary, width), theme.text)];
    if problems.is_empty() {
        let text = if form.is_frozen() {
            " ✔ Aucun problème détecté. Ce qui est envoyé :"
        } else {
            " ✔ Aucun problème détecté. Ce qui sera envoyé (Ctrl-S pour envoyer) :"
        };
        lines.push(Line::styled(truncate(text, width), theme.valid));
        let height = usize::from(area.height).saturating_sub(lines.len());
        let rows = sent_lines(form, width, theme);
        let offset = form.review_scroll().min(rows.len().saturating_sub(height));
        lines.extend(rows.into_iter().skip(offset).take(height));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    lines.push(Line::styled(
        format!(
            " {} problème{} à corriger — Entrée : aller au champ",
            problems.len(),
            if problems.len() > 1 { "s" } else { "" }
        ),
        theme.error,
    ));
    let selected = form.selected_problem().min(problems.len() - 1);
    let mut rows: Vec<Row> = Vec::new();
    for (index, p) in problems.iter().enumerate() {
        let message = sanitize(&p.message);
        // Identifier messages already start with their name (« NIR : … »).
        let column = p.label.rsplit(" — ").next().unwrap_or(&p.label);
        let message = message
            .strip_prefix(&format!("{column} : "))
            .unwrap_or(&message);
        let text = format!("{} : {message}", p.label);
        let style = if index == selected {
            theme.selection
        } else {
            theme.text
        };
        for (i, part) in wrap(&text, width.saturating_sub(4)).into_iter().enumerate() {
            let lead = match (i, index == selected) {
                (0, true) => " › ",
                (0, false) => " ✖ ",
                _ => "   ",
            };
            rows.push(Row {
                line: Line::styled(format!("{lead}{part}"), style),
                focus: Some(index),
            });
        }
    }
    let height = usize::from(area.height).saturating_sub(lines.len());
    let offset = scroll_offset(&rows, Some(selected), height);
    lines.extend(rows.into_iter().skip(offset).take(height).map(|r| r.line));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The summary of what will be sent: each filled training column (long values wrapped under
/// their label), then every titulaire on its line, NIR masked.
fn sent_lines(form: &Form, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    let d = form.declaration();
    let label_width = usize::from(LABEL_WIDTH) - 3;
    let value_width = width.saturating_sub(usize::from(LABEL_WIDTH)).max(1);
    let mut lines = Vec::new();
    for (label, value) in summary::training_rows(&d) {
        for (i, part) in wrap(&value, value_width).into_iter().enumerate() {
            let head = if i == 0 {
                truncate(&label, label_width)
            } else {
                String::new()
            };
            lines.push(Line::from(vec![
                Span::styled(format!("   {head:<label_width$}"), theme.muted),
                Span::styled(part, theme.text),
            ]));
        }
    }
    let count = d.titulaires.len();
    lines.push(Line::styled(
        format!(" Titulaire{} ({count}) :", if count > 1 { "s" } else { "" }),
        theme.title,
    ));
    for (index, t) in d.titulaires.iter().enumerate() {
        lines.push(Line::styled(
            truncate(&format!("   {}", summary::titulaire_line(index, t)), width),
            theme.text,
        ));
    }
    lines
}

fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// The line under the step: confirmation, submission, or the last notice.
fn status(form: &Form, theme: &Theme) -> (String, Style) {
    if form.confirm_submit {
        let count = form.titulaires().len();
        (
            format!(
                "Envoyer la déclaration ({count} titulaire{}) ? (o/n)",
                if count > 1 { "s" } else { "" }
            ),
            theme.error,
        )
    } else if let Some(index) = form.confirm_remove {
        let name = form.titulaires().get(index).map_or(String::new(), |t| {
            sanitize(t.text(Field::NomTitulaire)).to_uppercase()
        });
        (
            format!("Retirer le titulaire n° {} {name} ? (o/n)", index + 1),
            theme.error,
        )
    } else {
        match &form.submission {
            Submission::Validating(_) => {
                ("⟳ Vérification par le serveur…".to_owned(), theme.expiring)
            }
            Submission::Creating(_) => ("⟳ Envoi de la déclaration…".to_owned(), theme.expiring),
            Submission::Failed {
                creating: true,
                message,
            } => (
                format!(
                    "✖ Envoi non confirmé, r pour réessayer (même clé : jamais de doublon) — {}",
                    sanitize(message)
                ),
                theme.error,
            ),
            Submission::Failed {
                creating: false,
                message,
            } => (
                format!("✖ r pour réessayer — {}", sanitize(message)),
                theme.error,
            ),
            Submission::Idle if form.submit_attempted => (
                "⚠ Envoi tenté sans confirmation : r pour le renvoyer à l'identique (même clé)"
                    .to_owned(),
                theme.expiring,
            ),
            Submission::Idle => match &form.notice {
                Some(notice) => (sanitize(notice), theme.muted),
                None => (
                    "Brouillon enregistré à chaque modification".to_owned(),
                    theme.muted,
                ),
            },
        }
    }
}

/// The keys to go on, for the focus.
fn hints(form: &Form) -> String {
    if form.confirm_remove.is_some() {
        return "o confirmer · n ou Échap annuler".to_owned();
    }
    if form.confirm_submit {
        return "o envoyer · n ou Échap annuler".to_owned();
    }
    if form.picker.is_some() {
        return "Tapez un nom, un NIR ou un site · ↑↓ choisir · Entrée ajouter · Échap fermer"
            .to_owned();
    }
    let leave = "Échap ×2 fermer · F1-F6 écrans";
    if form.is_frozen() {
        return format!("r renvoyer (même clé) · ↑↓ problèmes · {leave}");
    }
    match (form.step, form.focused()) {
        (DraftStep::Review, _) if form.problems().is_empty() => {
            format!("Ctrl-S envoyer · ↑↓ défiler · PgUp/Maj-Tab retour · {leave}")
        }
        (DraftStep::Review, _) => {
            format!(
                "↑↓ problème · Entrée aller au champ · Ctrl-S envoyer · PgUp/Maj-Tab retour · {leave}"
            )
        }
        (DraftStep::Titulaires, None) => format!(
            "a ajouter · / chercher dans l'effectif · x retirer · Entrée modifier · {} · \
             PgDn vérification · {leave}",
            nir_hint(form)
        ),
        (_, Some((Field::Nir, _))) => format!(
            "{} · Tab/↓/Entrée suivant · Maj-Tab/↑ précédent · PgDn étape suivante · {leave}",
            nir_hint(form)
        ),
        (_, Some((field, _))) if field.kind() == FieldKind::Choice => format!(
            "←/→ ou Espace changer · Tab/↓ suivant · Maj-Tab/↑ précédent · PgDn étape suivante · \
             Ctrl-S vérifier · {leave}"
        ),
        (_, Some(_)) => format!(
            "Tab/↓/Entrée suivant · Maj-Tab/↑ précédent · PgDn étape suivante · Ctrl-S vérifier · \
             {leave}"
        ),
        (_, None) => format!("Tab suivant · PgDn étape suivante · {leave}"),
    }
}

/// `v afficher le NIR` or `v masquer le NIR`.
fn nir_hint(form: &Form) -> &'static str {
    if form.reveal_nir {
        "v masquer le NIR"
    } else {
        "v afficher le NIR"
    }
}

fn picker(form: &Form, roster: &Remote<Roster>, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
    let Some(picker) = &form.picker else { return };
    let width = area.width.saturating_sub(4).min(90);
    let height = area.height.saturating_sub(1).min(14);
    let popup = Rect {
        x: area.x + (area.width.saturating_sub(width)) / 2,
        y: area.y + 1,
        width,
        height,
    };
    frame.render_widget(Clear, popup);
    let block = Block::bordered().title(" Chercher un titulaire dans l'effectif ");
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    if inner.height < 3 {
        return;
    }
    let [query_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let [label_area, input_area] =
        Layout::horizontal([Constraint::Length(12), Constraint::Min(1)]).areas(query_area);
    frame.render_widget(
        Paragraph::new(Span::styled("Recherche : ", theme.title)),
        label_area,
    );
    frame.render_widget(&picker.query, input_area);
    let query_empty = picker.query.lines().iter().all(|l| l.trim().is_empty());
    let message = if let Some(error) = roster.error().filter(|_| roster.data().is_none()) {
        Some((
            format!("Erreur : {} — r pour réessayer", sanitize(error)),
            theme.error,
        ))
    } else if roster.data().is_none() {
        Some(("Chargement de l'effectif…".to_owned(), theme.muted))
    } else if query_empty {
        Some((
            "Tapez une partie du nom, du NIR, de l'employeur ou du site.".to_owned(),
            theme.muted,
        ))
    } else if picker.hits.is_empty() {
        Some(("Aucun salarié ne correspond.".to_owned(), theme.muted))
    } else {
        None
    };
    if let Some((text, style)) = message {
        frame.render_widget(Paragraph::new(Line::styled(text, style)), list_area);
        return;
    }
    let Some(data) = roster.data() else { return };
    let rows = usize::from(list_area.height);
    let offset = if picker.selected >= rows {
        picker.selected + 1 - rows
    } else {
        0
    };
    let lines: Vec<Line> = picker
        .hits
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .map(|(i, hit)| {
            let text = data
                .index
                .entry(*hit)
                .map_or_else(String::new, |e| sanitize(&e.text));
            let nir = data
                .workers
                .get(*hit as usize)
                .map_or_else(String::new, |w| w.nir.masked());
            let style = if i == picker.selected {
                theme.selection
            } else {
                theme.text
            };
            Line::styled(
                truncate(&format!(" {text} · {nir}"), usize::from(list_area.width)),
                style,
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), list_area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_and_width() {
        assert_eq!(wrap("un deux trois", 7), vec!["un deux", "trois"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        for line in wrap(
            "Le champ « compétences transférables » est obligatoire.",
            12,
        ) {
            assert!(line.chars().count() <= 12, "{line}");
        }
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
