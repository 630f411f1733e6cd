//! Enums whose values have stable codes: the English snake_case words
//! files, the regulation, catalogue keys and the command line name them by.

/// Declares an enum whose every value has a stable code, and gives it
/// `ALL` (every value, in the declared order), `code()` and `from_code()`
/// (the value a code names, ignoring spaces around it and ASCII case).
///
/// ```ignore
/// codes! {
///     /// What a person may do.
///     #[derive(Clone, Copy, Debug, PartialEq, Eq)]
///     pub enum Role {
///         Coordinator => "coordinator",
///         Juror => "juror",
///     }
/// }
/// ```
///
/// The enum's other attributes are its own: a serde form that names the
/// values by their codes says so itself (`rename_all = "snake_case"`), and
/// `codes_are_serde_names` below checks the two agree.
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the declared order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The value's stable code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value a code names, ignoring spaces around it and ASCII case.
            pub fn from_code(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL
                    .into_iter()
                    .find(|v| v.code().eq_ignore_ascii_case(s))
            }
        }
    };
}

pub(crate) use codes;

#[cfg(test)]
mod tests {
    use crate::domain::matching::MatchMode;
    use crate::domain::people::Role;
    use crate::domain::regulation::{Aggregation, IndicatorSource};
    use crate::domain::scoring::SheetStatus;
    use crate::domain::topic::{EventFormat, Topic};
    use serde::Serialize;

    codes! {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Light {
            /// Stop.
            Red => "red",
            AmberFlashing => "amber_flashing",
            Green => "green",
        }
    }

    #[test]
    fn every_value_has_its_code_in_the_declared_order() {
        assert_eq!(Light::ALL, [Light::Red, Light::AmberFlashing, Light::Green]);
        assert_eq!(
            Light::ALL.map(Light::code),
            ["red", "amber_flashing", "green"]
        );
        for l in Light::ALL {
            assert_eq!(Light::from_code(l.code()), Some(l));
        }
        assert_eq!(
            Light::from_code(" Amber_Flashing "),
            Some(Light::AmberFlashing)
        );
        assert_eq!(Light::from_code("amber-flashing"), None);
        assert_eq!(Light::from_code("blue"), None);
        assert_eq!(Light::from_code(""), None);
    }

    /// The codes are the names the serde form (the regulation, the stored
    /// records, the JSON) gives the values.
    fn codes_are_serde_names<T: Serialize + Copy>(all: &[T], code: fn(T) -> &'static str) {
        for v in all {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::Value::from(code(*v))
            );
        }
    }

    #[test]
    fn the_domains_codes_are_its_serde_names() {
        codes_are_serde_names(&Aggregation::ALL, Aggregation::code);
        codes_are_serde_names(&IndicatorSource::ALL, IndicatorSource::code);
        codes_are_serde_names(&MatchMode::ALL, MatchMode::code);
        codes_are_serde_names(&Topic::ALL, Topic::code);
        codes_are_serde_names(&EventFormat::ALL, EventFormat::code);
        codes_are_serde_names(&Role::ALL, Role::code);
        codes_are_serde_names(&SheetStatus::ALL, SheetStatus::code);
    }
}
