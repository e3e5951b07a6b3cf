// C API: chat template rendering.
#include <string>
#include <vector>

#include "edgellm.h"
#include "runtime/api/error.h"
#include "runtime/api/handles.h"
#include "runtime/chat/chat_template.h"

using edgellm::api::fail;
using edgellm::api::guarded;

namespace {

edgellm::Status model_family(const edgellm_model* m, edgellm::ChatFamily* family) {
  std::string jinja;
  EDGELLM_TRY(edgellm::read_chat_template(*m->model->file, &jinja));
  return edgellm::detect_chat_family(jinja, family);
}

}  // namespace

extern "C" edgellm_status edgellm_chat_apply(const edgellm_model* m, const char* family,
                                             const char* const* roles, const char* const* contents,
                                             size_t n_messages, int add_generation_prompt,
                                             char* buf, size_t size, size_t* length) {
  return guarded([&]() -> edgellm_status {
    if (!family && !m) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_apply: give a model or a family name");
    }
    if (n_messages > 0 && (!roles || !contents)) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_apply: roles and contents must not be NULL");
    }
    if (!buf && size > 0) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_apply: buf is NULL");
    edgellm::ChatFamily f;
    edgellm::Status st = family ? edgellm::chat_family_from_name(family, &f) : model_family(m, &f);
    if (!st.ok()) return fail(st);
    std::vector<edgellm::ChatMessage> messages(n_messages);
    for (size_t i = 0; i < n_messages; ++i) {
      if (!roles[i] || !contents[i]) {
        return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_apply: message %zu has a NULL role or content", i);
      }
      messages[i].role = roles[i];
      messages[i].content = contents[i];
    }
    std::string text;
    st = edgellm::render_chat(f, messages, add_generation_prompt != 0, &text);
    if (!st.ok()) return fail(st);
    if (length) *length = text.size();
    if (size > 0) {
      const size_t n = text.size() < size ? text.size() : size - 1;
      text.copy(buf, n);
      buf[n] = '\0';
    }
    if (text.size() >= size) {
      return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_apply: %zu bytes do not fit the buffer of %zu",
                  text.size() + 1, size);
    }
    return EDGELLM_OK;
  });
}

extern "C" const char* edgellm_chat_family(const edgellm_model* m) {
  const char* name = nullptr;
  guarded([&]() -> edgellm_status {
    if (!m) return fail(EDGELLM_ERR_INVALID_ARGUMENT, "chat_family: model is NULL");
    edgellm::ChatFamily f;
    edgellm::Status st = model_family(m, &f);
    if (!st.ok()) return fail(st);
    name = edgellm::chat_family_name(f);
    return EDGELLM_OK;
  });
  return name;
}
