'use strict';
// The story form's region and rubric boxes offer the rows of the language chosen in the
// form: each of their autocomplete requests carries it (the server filters by it, and the
// form refuses a row of another language whatever is sent).
{
    const $ = django.jQuery;
    const FIELDS = ['region', 'rubric'];

    $.ajaxPrefilter((options) => {
        const language = document.getElementById('id_language');
        if (!language || typeof options.data !== 'string') {
            return;
        }
        const params = new URLSearchParams(options.data);
        if (params.get('model_name') === 'article' && FIELDS.includes(params.get('field_name'))) {
            params.set('language', language.value);
            options.data = params.toString();
        }
    });
}
