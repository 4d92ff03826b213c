//! The static description of the demo world: its accounts, what each delivers, the job
//! profiles of each employer and the hand-written showcase workers.

use std::str::FromStr;

use super::*;

/// An account as written in the source.
pub(super) struct AccountSpec {
    token: &'static str,
    kind: DeclarantKind,
    siret: &'static str,
    name: &'static str,
    nda: Option<&'static str>,
    sites: &'static [&'static str],
}

/// Fictitious SIRETs, Luhn-valid (checked by the tests); the NDA starts with the region code
/// of Auvergne-Rhône-Alpes (84) and the département of Lyon (69).
pub(super) const ACCOUNTS: [AccountSpec; 3] = [
    AccountSpec {
        token: "demo-employeur",
        kind: DeclarantKind::Employeur,
        siret: "41287396000022",
        name: "ACME Logistique",
        nda: None,
        sites: &["Lyon Gerland", "Marseille Port", "Lille Lesquin"],
    },
    AccountSpec {
        token: "demo-employeur-2",
        kind: DeclarantKind::Employeur,
        siret: "52841937700015",
        name: "Bâtiments Durand SA",
        nda: None,
        sites: &["Nantes", "Rennes", "Bordeaux"],
    },
    AccountSpec {
        token: "demo-of",
        kind: DeclarantKind::OrganismeFormation,
        siret: "81243675600017",
        name: "Formaprev Sécurité",
        nda: Some("84691234569"),
        sites: &["Lyon Vaise", "Marseille", "Nantes", "Lille", "Bordeaux"],
    },
];

/// A training delivered by an account: catalogue code and duration in working days.
pub(super) type Offer = (&'static str, u32);

/// What the training organisation delivers. Durations are usual market lengths.
pub(super) const OF_OFFER: &[Offer] = &[
    ("SST", 2),
    ("MAC_SST", 1),
    ("CACES_R482", 3),
    ("CACES_R485", 1),
    ("CACES_R486", 2),
    ("CACES_R487", 5),
    ("CACES_R489", 3),
    ("CACES_R490", 4),
    ("HAB_ELEC_B0_H0", 1),
    ("HAB_ELEC_BS_BE_MANOEUVRE", 2),
    ("HAB_ELEC_B1_B2_BR_BC", 3),
    ("AIPR_OPERATEUR", 1),
    ("AIPR_ENCADRANT", 1),
    ("AMIANTE_SS4_OPERATEUR", 2),
    ("AMIANTE_SS4_ENCADRANT_CHANTIER", 5),
    ("TRAVAIL_EN_HAUTEUR", 1),
    ("ATEX", 1),
    ("PRAP", 2),
    ("RISQUE_CHIMIQUE", 1),
];

/// Internal trainings of each employer (slot 0: logistics, slot 1: building).
pub(super) const EMPLOYER_OFFERS: [&[Offer]; 2] = [
    &[
        ("GESTES_POSTURES", 1),
        ("TMS", 1),
        ("RPS", 1),
        ("RISQUE_ROUTIER", 1),
        ("HAB_ELEC_B0_H0", 1),
    ],
    &[
        ("TRAVAIL_EN_HAUTEUR", 1),
        ("GESTES_POSTURES", 1),
        ("RISQUE_ROUTIER", 1),
        ("RPS", 1),
    ],
];

/// A kind of job: its share of the staff and the trainings its holders tend to have. Each
/// training is a family of interchangeable codes (the latest of `SST` or `MAC_SST`) with the
/// chance that a worker holds it.
pub(super) struct ProfileSpec {
    pub(super) weight: u32,
    pub(super) holds: &'static [(&'static [&'static str], f64)],
}

/// Job profiles of each employer slot.
pub(super) const PROFILES: [&[ProfileSpec]; 2] = [
    &[
        // Cariste.
        ProfileSpec {
            weight: 35,
            holds: &[
                (&["CACES_R489"], 0.95),
                (&["SST", "MAC_SST"], 0.3),
                (&["GESTES_POSTURES"], 0.6),
                (&["HAB_ELEC_B0_H0"], 0.1),
            ],
        },
        // Préparateur de commandes.
        ProfileSpec {
            weight: 35,
            holds: &[
                (&["GESTES_POSTURES"], 0.8),
                (&["CACES_R485"], 0.5),
                (&["SST", "MAC_SST"], 0.2),
                (&["TMS"], 0.3),
                (&["PRAP"], 0.15),
            ],
        },
        // Chauffeur.
        ProfileSpec {
            weight: 12,
            holds: &[
                (&["RISQUE_ROUTIER"], 0.8),
                (&["CACES_R489"], 0.3),
                (&["SST", "MAC_SST"], 0.25),
                (&["GESTES_POSTURES"], 0.4),
            ],
        },
        // Technicien de maintenance.
        ProfileSpec {
            weight: 10,
            holds: &[
                (&["HAB_ELEC_B1_B2_BR_BC"], 0.9),
                (&["HAB_ELEC_BS_BE_MANOEUVRE"], 0.2),
                (&["CACES_R486"], 0.6),
                (&["TRAVAIL_EN_HAUTEUR"], 0.6),
                (&["SST", "MAC_SST"], 0.4),
                (&["ATEX"], 0.3),
            ],
        },
        // Encadrement.
        ProfileSpec {
            weight: 8,
            holds: &[
                (&["SST", "MAC_SST"], 0.5),
                (&["RPS"], 0.7),
                (&["RISQUE_CHIMIQUE"], 0.2),
                (&["HAB_ELEC_B0_H0"], 0.3),
            ],
        },
    ],
    &[
        // Maçon, compagnon.
        ProfileSpec {
            weight: 40,
            holds: &[
                (&["TRAVAIL_EN_HAUTEUR"], 0.8),
                (&["SST", "MAC_SST"], 0.3),
                (&["AMIANTE_SS4_OPERATEUR"], 0.35),
                (&["GESTES_POSTURES"], 0.5),
                (&["CACES_R482"], 0.15),
            ],
        },
        // Conducteur d'engins.
        ProfileSpec {
            weight: 15,
            holds: &[
                (&["CACES_R482"], 0.95),
                (&["AIPR_OPERATEUR"], 0.9),
                (&["CACES_R490"], 0.2),
                (&["SST", "MAC_SST"], 0.2),
            ],
        },
        // Électricien.
        ProfileSpec {
            weight: 20,
            holds: &[
                (&["HAB_ELEC_B1_B2_BR_BC"], 0.9),
                (&["AIPR_OPERATEUR"], 0.3),
                (&["TRAVAIL_EN_HAUTEUR"], 0.5),
                (&["CACES_R486"], 0.5),
                (&["SST", "MAC_SST"], 0.3),
            ],
        },
        // Grutier.
        ProfileSpec {
            weight: 7,
            holds: &[
                (&["CACES_R487"], 0.9),
                (&["TRAVAIL_EN_HAUTEUR"], 0.6),
                (&["SST", "MAC_SST"], 0.2),
            ],
        },
        // Chef de chantier.
        ProfileSpec {
            weight: 18,
            holds: &[
                (&["AIPR_ENCADRANT"], 0.8),
                (&["AMIANTE_SS4_ENCADRANT_CHANTIER"], 0.4),
                (&["SST", "MAC_SST"], 0.6),
                (&["RPS"], 0.4),
                (&["TRAVAIL_EN_HAUTEUR"], 0.5),
                (&["RISQUE_ROUTIER"], 0.3),
            ],
        },
    ],
];

/// Workers written by hand so that the search demo finds them: birth name, first name for sex 1
/// and for sex 2, nom d'usage (women only), employer account and site index.
pub(super) type Showcase = (
    &'static str,
    [&'static str; 2],
    Option<&'static str>,
    usize,
    usize,
);

/// The hand-written workers, ids 1, 2, 3…
pub(super) const SHOWCASE: &[Showcase] = &[
    ("DUPONT", ["Mathieu", "Marie-Ève"], None, 0, 0),
    ("DUPONT", ["Maxime", "Mélanie"], Some("MOREAU"), 0, 0),
    ("LEFÈVRE", ["François", "Éloïse"], None, 0, 0),
    ("N'DIAYE", ["Moussa", "Aminata"], None, 0, 1),
    ("MÜLLER", ["Jean-Baptiste", "Hélène"], Some("BÉNARD"), 0, 2),
    ("LE GOFF", ["Loïc", "Gwenaëlle"], None, 1, 1),
    ("DA SILVA", ["Raphaël", "Anaïs"], None, 1, 0),
    ("MOREAU", ["Timothée", "Zoé"], Some("DUPONT"), 1, 2),
];

/// An account from its description; `None` if one of its identifiers does not parse (the tests
/// check that none is lost).
pub(super) fn build_account(spec: &AccountSpec) -> Option<DemoAccount> {
    let nda = match spec.nda {
        Some(text) => Some(Nda::from_str(text).ok()?),
        None => None,
    };
    Some(DemoAccount {
        token: spec.token,
        kind: spec.kind,
        siret: Siret::from_str(spec.siret).ok()?,
        name: spec.name.to_owned(),
        nda,
        sites: spec.sites.iter().map(|&site| site.to_owned()).collect(),
    })
}

#[cfg(test)]
mod tests {

    use super::super::tests::demo;
    use super::*;

    use crate::domain::ids::luhn_valid;

    #[test]
    fn accounts_have_valid_identifiers_in_order() {
        let demo = demo(50, DEFAULT_SEED);
        let accounts = demo.accounts();
        let tokens: Vec<&str> = accounts.iter().map(|a| a.token).collect();
        assert_eq!(tokens, ["demo-employeur", "demo-employeur-2", "demo-of"]);
        let kinds: Vec<DeclarantKind> = accounts.iter().map(|a| a.kind).collect();
        use DeclarantKind::{Employeur, OrganismeFormation};
        assert_eq!(kinds, [Employeur, Employeur, OrganismeFormation]);
        for account in accounts {
            assert!(luhn_valid(account.siret.as_str()), "{}", account.name);
            assert!(
                luhn_valid(account.siret.siren().as_str()),
                "{}",
                account.name
            );
            assert!(account.sites.len() >= 3);
        }
        assert_eq!(accounts[0].name, "ACME Logistique");
        assert_eq!(
            accounts[0].sites,
            ["Lyon Gerland", "Marseille Port", "Lille Lesquin"]
        );
        assert_eq!(accounts[1].name, "Bâtiments Durand SA");
        assert_eq!(accounts[1].sites, ["Nantes", "Rennes", "Bordeaux"]);
        assert_eq!(accounts[2].name, "Formaprev Sécurité");
        assert_eq!(accounts[2].nda.as_ref().map(|n| n.as_str().len()), Some(11));
        assert!(accounts[..2].iter().all(|a| a.nda.is_none()));
        for worker in demo.workers() {
            let account = &accounts[worker.employer];
            assert_eq!(account.kind, Employeur);
            assert_eq!(worker.worker.employer_siret, account.siret);
            assert_eq!(worker.worker.employer_name, account.name);
            assert!(account.sites.contains(&worker.worker.site));
        }
    }
}
