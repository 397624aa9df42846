-- Drives `millwright lsp` from Neovim's built-in LSP client (headless), as .ci/conformance-neovim
-- runs it: opens a blueprint, waits for its diagnostics, then asks for hover, completion and a
-- definition, and exits non-zero with a message on the first answer that is wrong.
-- Arguments (global variables set on the command line): millwright (the binary), blueprint (a
-- copy of the Rhine example, with one part id misspelled on line `typo_line`).
local function fail(message)
  io.stderr:write("neovim: " .. message .. "\n")
  vim.cmd("cquit 1")
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(vim.g.blueprint))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = "millwright",
    cmd = { vim.g.millwright, "lsp" },
    root_dir = vim.fn.fnamemodify(vim.g.blueprint, ":h"),
    init_options = { docsUrl = "https://example.org/codes/" },
  })
  if not client_id then
    return fail("the client did not start")
  end
  vim.lsp.buf_attach_client(buf, client_id)

  -- Diagnostics: the misspelled part id is an unknown part (E0201) on its line.
  local found = vim.wait(30000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 50)
  if not found then
    return fail("no diagnostics arrived")
  end
  local typo = nil
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == "E0201" then
      typo = d
    end
  end
  if not typo then
    return fail("no E0201 among " .. vim.inspect(vim.diagnostic.get(buf)))
  end
  if typo.lnum + 1 ~= vim.g.typo_line then
    return fail("E0201 on line " .. (typo.lnum + 1) .. ", expected " .. vim.g.typo_line)
  end

  local client = vim.lsp.get_client_by_id(client_id)
  local function at(pattern, shift)
    local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
    for i, line in ipairs(lines) do
      local col = line:find(pattern, 1, true)
      if col then
        return { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = i - 1, character = col - 1 + shift } }
      end
    end
    error("no " .. pattern .. " in the blueprint")
  end

  -- Hover on a part id: the catalog's figures with units.
  local hover = client.request_sync("textDocument/hover", at('"spectrum-sn5600"', 3), 10000, buf)
  local text = hover and hover.result and hover.result.contents and hover.result.contents.value or ""
  if not text:find("spectrum-sn5600", 1, true) or not text:find("Sources", 1, true) then
    return fail("hover: " .. vim.inspect(hover))
  end

  -- Completion after `rack "`: rack-scale systems and enclosures.
  local params = at('rack "', 6)
  local completion = client.request_sync("textDocument/completion", params, 10000, buf)
  local labels = {}
  for _, item in ipairs(completion and completion.result or {}) do
    labels[item.label] = true
  end
  if not labels["gb200-nvl72"] or not labels["rack-dlc-48u"] or labels["spectrum-sn5600"] then
    return fail("completion: " .. vim.inspect(completion))
  end

  -- Definition of `loop="tcs-1"`: the loop's node, in the same file.
  local definition = client.request_sync("textDocument/definition", at('loop="tcs-1"', 7), 10000, buf)
  local loc = definition and definition.result
  if not loc or loc.uri ~= vim.uri_from_bufnr(buf) or loc.range.start.line ~= at('loop "tcs-1"', 0).position.line then
    return fail("definition: " .. vim.inspect(definition))
  end

  print("neovim: diagnostics, hover, completion and definition answered")
  client.stop()
  vim.cmd("qall!")
end)
if not ok then
  fail(tostring(err))
end
