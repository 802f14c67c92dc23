//! A form's field as every form page shows it (`templates/_field.html`): its label, the
//! value as typed, its choices, and its error beside it in the user's language.

use luodi_domain::Lang;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;

pub struct FieldView {
    /// The form's name for it.
    pub name: String,
    /// Its element's id: its name unless the page has another element of that id.
    pub id: String,
    /// Its label, in the user's language.
    pub label: String,
    pub value: String,
    pub required: bool,
    pub readonly: bool,
    /// Choices (value, label); none: a text box.
    pub options: Vec<(String, String)>,
    /// What the empty choice reads (a select's first option).
    pub blank: String,
    /// `decimal` or `numeric` for figures (the phone's keyboard), else none.
    pub inputmode: Option<&'static str>,
    pub error: Option<String>,
    pub hint: Option<String>,
}

impl FieldView {
    /// A text box named `name`, labelled by catalogue key `label_key`.
    pub fn text(lang: Lang, name: impl Into<String>, label_key: &str, value: String) -> FieldView {
        FieldView::labelled(name, i18n::text(lang, label_key).to_string(), value)
    }

    /// A text box with a label already in the user's language.
    pub fn labelled(name: impl Into<String>, label: String, value: String) -> FieldView {
        let name = name.into();
        FieldView {
            id: name.clone(),
            name,
            label,
            value,
            required: false,
            readonly: false,
            options: Vec::new(),
            blank: "—".into(),
            inputmode: None,
            error: None,
            hint: None,
        }
    }

    /// Its element's id, where the name alone would not be unique on the page.
    pub fn id(mut self, id: impl Into<String>) -> FieldView {
        self.id = id.into();
        self
    }

    pub fn required(mut self) -> FieldView {
        self.required = true;
        self
    }

    pub fn choices(mut self, options: Vec<(String, String)>) -> FieldView {
        self.options = options;
        self
    }

    pub fn blank(mut self, blank: impl Into<String>) -> FieldView {
        self.blank = blank.into();
        self
    }

    pub fn figure(mut self) -> FieldView {
        self.inputmode = Some("decimal");
        self
    }

    /// A whole number (a count of days): the phone shows digits.
    pub fn whole(mut self) -> FieldView {
        self.inputmode = Some("numeric");
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> FieldView {
        self.hint = Some(hint.into());
        self
    }

    /// Its error, if `errors` has one for it.
    pub fn checked(mut self, errors: &[FieldError], lang: Lang) -> FieldView {
        self.error = errors
            .iter()
            .find(|e| e.field == self.name)
            .map(|e| e.message(lang).to_string());
        self
    }
}
