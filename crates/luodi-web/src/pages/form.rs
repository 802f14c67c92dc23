//! A form's field as every form page shows it (`templates/_field.html`): its label, the
//! value as typed, its choices, and its error beside it in the user's language.

use luodi_domain::Lang;
use luodi_domain::core::enterprise::FieldError;
use luodi_domain::core::i18n;

/// What kind of control a field is, beside a text box and a select.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Control {
    /// A text box, or a select when the field has choices.
    #[default]
    Input,
    /// Several lines of text.
    TextArea,
    /// A yes/no box, ticked when the value is `true`.
    Checkbox,
    /// Files, several at once, of the kinds `accept` lists.
    Files { accept: String },
    /// A text box that suggests these values as one types (a searchable choice).
    Search(Vec<String>),
}

pub struct FieldView {
    /// The form's name for it.
    pub name: String,
    /// Its element id: the name, unless the page has another element of that id (a
    /// prefix where a page has several forms).
    pub id: String,
    pub control: Control,
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
            control: Control::Input,
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

    /// Ids prefixed (`act-answered-text`), for a page with several forms.
    pub fn prefixed(mut self, prefix: &str) -> FieldView {
        self.id = format!("{prefix}-{}", self.name);
        self
    }

    /// Its element's id, where the name alone would not be unique on the page.
    pub fn id(mut self, id: impl Into<String>) -> FieldView {
        self.id = id.into();
        self
    }

    pub fn control(mut self, control: Control) -> FieldView {
        self.control = control;
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

    /// An error already in the user's language.
    pub fn error(mut self, error: Option<String>) -> FieldView {
        self.error = error;
        self
    }

    /// The suggestions of a searchable field.
    pub fn suggestions(&self) -> &[String] {
        match &self.control {
            Control::Search(v) => v,
            _ => &[],
        }
    }

    pub fn is_textarea(&self) -> bool {
        self.control == Control::TextArea
    }

    pub fn is_checkbox(&self) -> bool {
        self.control == Control::Checkbox
    }

    pub fn is_search(&self) -> bool {
        matches!(self.control, Control::Search(_))
    }

    /// The `accept` list of a file field; none for any other.
    pub fn accept(&self) -> Option<&str> {
        match &self.control {
            Control::Files { accept } => Some(accept),
            _ => None,
        }
    }
}
