// An error as the OpenAI API reports it: an HTTP status and
// {"error":{"message","type","param","code"}} (openai_json.h writes it).
#pragma once

#include <string>

namespace cli::server {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param;  // the request field at fault; empty: null
  std::string code;   // machine-readable reason; empty: null
};

inline ApiError invalid_request(std::string message, std::string param = "", std::string code = "") {
  return ApiError{400, std::move(message), "invalid_request_error", std::move(param), std::move(code)};
}

inline ApiError server_error(int status, std::string message, std::string code = "") {
  return ApiError{status, std::move(message), "server_error", "", std::move(code)};
}

}  // namespace cli::server
