//! Every identifier parser of `passeport::domain::ids` on arbitrary text: no panic, and whatever
//! parses round-trips through its canonical form (tests/fuzz_props.rs, target `ids`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use passeport::domain::ids::{
    CertificationCode, Competence, Formacode, Nda, Nir, Nsf, Siren, Siret,
};

/// Parses `text` as `T`; a success must parse again from its canonical form to the same value.
macro_rules! round_trip {
    ($text:expr, $($ty:ty),* $(,)?) => {$(
        if let Ok(value) = $text.parse::<$ty>() {
            assert_eq!(value.as_str().parse::<$ty>().ok(), Some(value.clone()));
        }
    )*};
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    round_trip!(
        text,
        Nir,
        Siren,
        Siret,
        Nda,
        CertificationCode,
        Formacode,
        Nsf,
        Competence
    );
    if let Ok(nir) = text.parse::<Nir>() {
        assert_eq!(nir.with_key().parse::<Nir>().ok(), Some(nir.clone()));
        assert_eq!(nir.to_string().parse::<Nir>().ok(), Some(nir));
    }
});
