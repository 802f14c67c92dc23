//! Typed ids: a `ZoneId` can never be passed where an `EnterpriseId` is meant.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A development zone (开发区): the unit every zone-owned row belongs to.
    ZoneId
);
id_type!(UserId);
id_type!(EnterpriseId);
id_type!(DepartmentId);
id_type!(ParkId);
