//! One digest per recipient: a French subject, and a plain-text body with a table of the
//! trainings to renew and one of the declarations to make.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::{ItemKind, Reminder, Thresholds};
use crate::text::{count, sanitize};

/// Spaces between two columns of a table.
const GAP: &str = "  ";

/// The reminders for one recipient, as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Digest {
    /// The address; `None` when no address is known (no manager's e-mail, no `to` configured).
    pub to: Option<String>,
    /// French subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// What it reminds, most urgent date first.
    pub reminders: Vec<Reminder>,
}

/// The digests of `reminders`, one per recipient as `recipient_of` names them (digests without
/// an address last), dated `today`.
pub fn digests(
    reminders: Vec<Reminder>,
    recipient_of: impl Fn(&Reminder) -> Option<String>,
    today: NaiveDate,
    thresholds: &Thresholds,
) -> Vec<Digest> {
    let mut by_recipient: BTreeMap<(bool, String), Vec<Reminder>> = BTreeMap::new();
    for reminder in reminders {
        let key = match recipient_of(&reminder) {
            Some(to) => (false, to),
            None => (true, String::new()),
        };
        by_recipient.entry(key).or_default().push(reminder);
    }
    by_recipient
        .into_iter()
        .map(|((unknown, to), reminders)| Digest {
            to: (!unknown).then_some(to),
            subject: subject(&reminders, today),
            body: body(&reminders, today, thresholds),
            reminders,
        })
        .collect()
}

/// `Passeport de prévention : 2 formations à renouveler (dont 1 expirée), 1 déclaration à faire
/// — 26/11/2026`.
fn subject(reminders: &[Reminder], today: NaiveDate) -> String {
    let (expiries, deadlines): (Vec<&Reminder>, Vec<&Reminder>) = reminders
        .iter()
        .partition(|r| r.item.kind == ItemKind::Expiry);
    let mut parts = Vec::new();
    if !expiries.is_empty() {
        let expired = expiries.iter().filter(|r| r.days_left < 0).count() as u64;
        let mut part = count(
            expiries.len() as u64,
            "formation à renouveler",
            "formations à renouveler",
        );
        if expired > 0 {
            part.push_str(&format!(
                " (dont {})",
                count(expired, "expirée", "expirées")
            ));
        }
        parts.push(part);
    }
    if !deadlines.is_empty() {
        parts.push(count(
            deadlines.len() as u64,
            "déclaration à faire",
            "déclarations à faire",
        ));
    }
    format!(
        "Passeport de prévention : {} — {}",
        parts.join(", "),
        today.format("%d/%m/%Y")
    )
}

/// The body: a greeting, one table per kind, and when the next reminders come.
fn body(reminders: &[Reminder], today: NaiveDate, thresholds: &Thresholds) -> String {
    let mut out = format!(
        "Bonjour,\n\nVoici les rappels du Passeport de prévention au {}.\n",
        today.format("%d/%m/%Y")
    );
    let sections = [
        (
            ItemKind::Expiry,
            "Formations à renouveler",
            [
                "Échéance",
                "Jours",
                "Rappel",
                "Salarié",
                "Site",
                "Formation",
            ],
        ),
        (
            ItemKind::Deadline,
            "Déclarations à faire",
            [
                "Limite",
                "Jours",
                "Rappel",
                "Salarié ou session",
                "Site ou lieu",
                "Formation",
            ],
        ),
    ];
    for (kind, title, headers) in sections {
        let rows: Vec<[String; 6]> = reminders
            .iter()
            .filter(|r| r.item.kind == kind)
            .map(|r| {
                [
                    r.item.due.format("%d/%m/%Y").to_string(),
                    r.days_left.to_string(),
                    r.stage.label(),
                    sanitize(&r.item.who),
                    sanitize(&r.item.site),
                    sanitize(&r.item.training),
                ]
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{title} ({}) :\n\n", rows.len()));
        out.push_str(&table(&headers, &rows));
    }
    out.push_str(&format!(
        "\nChaque rappel n'est envoyé qu'une fois par seuil : {} avant l'échéance d'une \
         formation, {} avant la limite d'une déclaration, puis une fois la date dépassée.\n\
         \n-- \npasseport remind\n",
        days_list(&thresholds.expiry),
        days_list(&thresholds.deadline)
    ));
    out
}

/// `90, 60, 30 et 7 jours`.
fn days_list(days: &[u32]) -> String {
    let mut days = days.to_vec();
    days.sort_unstable_by(|a, b| b.cmp(a));
    let words: Vec<String> = days.iter().map(u32::to_string).collect();
    match words.split_last() {
        None => "aucun jour".to_owned(),
        Some((last, [])) => format!("{last} {}", if days[0] > 1 { "jours" } else { "jour" }),
        Some((last, rest)) => format!("{} et {last} jours", rest.join(", ")),
    }
}

/// An aligned table: the « Jours » column (second) to the right, the others to the left.
fn table(headers: &[&str; 6], rows: &[[String; 6]]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(index, (cell, &width))| {
                if index == 1 {
                    format!("{cell:>width$}")
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect();
        format!("{}\n", padded.join(GAP).trim_end())
    };
    let mut out = line(headers.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reminders::{Item, Stage};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn reminder(kind: ItemKind, who: &str, due: NaiveDate, stage: Stage) -> Reminder {
        Reminder {
            item: Item {
                kind,
                key: format!("{kind:?}:{who}"),
                worker_id: Some(1),
                who: who.to_owned(),
                site: "Lyon Gerland".to_owned(),
                training: "Sauveteur secouriste du travail".to_owned(),
                due,
            },
            days_left: (due - day(2026, 11, 26)).num_days(),
            stage,
        }
    }

    #[test]
    fn one_digest_per_recipient_with_a_french_subject_and_table() {
        let today = day(2026, 11, 26);
        let reminders = vec![
            reminder(
                ItemKind::Expiry,
                "DUPONT Jean",
                day(2026, 11, 1),
                Stage::Overdue,
            ),
            reminder(
                ItemKind::Expiry,
                "MARTIN Éloïse",
                day(2026, 12, 1),
                Stage::Within(7),
            ),
            reminder(
                ItemKind::Deadline,
                "Session 3 du 02/11/2026",
                day(2026, 12, 20),
                Stage::Within(30),
            ),
        ];
        let digests = digests(
            reminders,
            |r| match r.item.who.as_str() {
                "DUPONT Jean" => Some("chef@acme.fr".to_owned()),
                "MARTIN Éloïse" => None,
                _ => Some("rh@acme.fr".to_owned()),
            },
            today,
            &Thresholds::default(),
        );
        let to: Vec<Option<&str>> = digests.iter().map(|d| d.to.as_deref()).collect();
        assert_eq!(to, [Some("chef@acme.fr"), Some("rh@acme.fr"), None]);
        assert_eq!(
            digests[0].subject,
            "Passeport de prévention : 1 formation à renouveler (dont 1 expirée) — 26/11/2026"
        );
        assert_eq!(
            digests[1].subject,
            "Passeport de prévention : 1 déclaration à faire — 26/11/2026"
        );
        assert_eq!(
            digests[0].body,
            "Bonjour,\n\nVoici les rappels du Passeport de prévention au 26/11/2026.\n\n\
             Formations à renouveler (1) :\n\n\
             Échéance    Jours  Rappel    Salarié      Site          Formation\n\
             01/11/2026    -25  dépassée  DUPONT Jean  Lyon Gerland  Sauveteur secouriste du travail\n\
             \nChaque rappel n'est envoyé qu'une fois par seuil : 90, 60, 30 et 7 jours avant \
             l'échéance d'une formation, 30 et 7 jours avant la limite d'une déclaration, puis \
             une fois la date dépassée.\n\n-- \npasseport remind\n"
        );
        assert!(
            digests[1]
                .body
                .contains("20/12/2026     24  J-30    Session 3 du 02/11/2026"),
            "{}",
            digests[1].body
        );
    }

    #[test]
    fn text_from_the_server_is_sanitised() {
        let digests = digests(
            vec![reminder(
                ItemKind::Expiry,
                "EVIL\x1b[2J",
                day(2026, 12, 1),
                Stage::Within(7),
            )],
            |_| None,
            day(2026, 11, 26),
            &Thresholds::default(),
        );
        assert!(!digests[0].body.contains('\x1b'));
    }

    #[test]
    fn days_are_listed_in_french() {
        assert_eq!(days_list(&[7, 90, 30, 60]), "90, 60, 30 et 7 jours");
        assert_eq!(days_list(&[1]), "1 jour");
        assert_eq!(days_list(&[]), "aucun jour");
    }
}
