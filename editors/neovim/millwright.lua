-- Neovim: `millwright lsp` for KDL blueprints. Put this file in `~/.config/nvim/plugin/` (or
-- `require` it from init.lua). Neovim 0.11+ uses `vim.lsp.config`; older versions start the
-- client from a FileType autocommand.
vim.filetype.add({ extension = { kdl = "kdl" } })
local settings = {
  cmd = { "millwright", "lsp" },
  init_options = { docsUrl = nil }, -- e.g. "https://example.org/millwright/codes/"
}
if vim.lsp.config then
  vim.lsp.config("millwright", vim.tbl_extend("force", settings, { filetypes = { "kdl" }, root_markers = { ".git" } }))
  vim.lsp.enable("millwright")
else
  vim.api.nvim_create_autocmd("FileType", {
    pattern = "kdl",
    callback = function(args)
      vim.lsp.start(vim.tbl_extend("force", settings, {
        name = "millwright",
        root_dir = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
      }))
    end,
  })
end
