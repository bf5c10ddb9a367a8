;;; eglot.el --- headless smoke test: Emacs + eglot + editors/emacs/karmem-mode.el against karmem-lsp  -*- lexical-binding: t -*-
;; Run (from tests/tests/editor_others.rs):
;;   emacs --batch -Q -L <eglot dir> -L editors/emacs -l eglot.el
;; KM_EXPECT names a JSON file: server, root, files.broken/game, the expected diagnostic
;; (line, column, message) and hover numbers. Prints `ok: ...' lines, then PASS (exit 0)
;; or FAIL: reason (exit 1).
(require 'json)
(require 'eglot)
(require 'flymake)
(require 'karmem-mode)

(defun km-out (fmt &rest args)
  (princ (concat (apply #'format fmt args) "\n")))

(defun km-fail (fmt &rest args)
  (km-out "FAIL: %s" (apply #'format fmt args))
  (kill-emacs 1))

(defun km-wait (secs pred)
  "Pump events up to SECS seconds until PRED returns non-nil; return its value."
  (let ((deadline (+ (float-time) secs)) res)
    (while (and (not (setq res (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.02))
    res))

(defun km-get (obj &rest keys)
  (dolist (k keys obj) (setq obj (cdr (assq k obj)))))

(defun km-line-col (pos)
  "1-based line and column of POS."
  (save-excursion (goto-char pos) (cons (line-number-at-pos) (1+ (current-column)))))

(condition-case err
    (let* ((expect (let ((json-object-type 'alist) (json-array-type 'list))
                     (json-read-file (getenv "KM_EXPECT"))))
           (timeout (/ (km-get expect 'timeout_ms) 1000.0))
           (karmem-lsp-command (list (km-get expect 'server) "--stdio")))
      (setq eglot-sync-connect timeout eglot-connect-timeout timeout)
      (km-out "emacs %s, eglot %s" emacs-version
              (with-temp-buffer
                (insert-file-contents (locate-library "eglot.el"))
                (and (re-search-forward "^;; Version: \\(.*\\)$" nil t) (match-string 1))))
      ;; 1. the broken schema: mode, root, the server's diagnostic through flymake
      (find-file (km-get expect 'files 'broken))
      (unless (eq major-mode 'karmem-mode) (km-fail "major mode is %s" major-mode))
      ;; eglot-ensure waits for a command loop that batch mode never runs
      (apply #'eglot (eglot--guess-contact))
      (let ((server (km-wait timeout #'eglot-current-server)))
        (unless server (km-fail "no eglot server"))
        (let ((root (file-name-as-directory (expand-file-name (project-root (eglot--project server)))))
              (want (file-name-as-directory (km-get expect 'root))))
          (unless (equal root want) (km-fail "project root %s, want %s" root want))
          (km-out "ok: server %S, root %s" (plist-get (eglot--server-info server) :name) root)))
      (unless (bound-and-true-p flymake-mode) (km-fail "flymake-mode is off"))
      (flymake-start)
      (let* ((want (km-get expect 'broken))
             (found (km-wait timeout
                             (lambda ()
                               (seq-find (lambda (d)
                                           (and (equal (km-line-col (flymake-diagnostic-beg d))
                                                       (cons (km-get want 'line) (km-get want 'column)))
                                                (string-match-p (regexp-quote (km-get want 'message))
                                                                (flymake-diagnostic-text d))))
                                         (flymake-diagnostics))))))
        (unless found
          (km-fail "no diagnostic %S; flymake has %S" want
                   (mapcar (lambda (d) (list (km-line-col (flymake-diagnostic-beg d))
                                             (flymake-diagnostic-text d)))
                           (flymake-diagnostics))))
        (unless (eq (flymake-diagnostic-type found) 'eglot-error)
          (km-fail "diagnostic type %S" (flymake-diagnostic-type found)))
        (km-out "ok: diagnostic line %d: %s" (km-get want 'line) (flymake-diagnostic-text found)))
      ;; 2. hover over a field of the valid schema: offset and size as `karmem layout --json'
      (find-file (km-get expect 'files 'game))
      (apply #'eglot (eglot--guess-contact))
      (unless (km-wait timeout #'eglot-current-server) (km-fail "no eglot server for game.km"))
      (goto-char (point-min))
      (let ((h (km-get expect 'hover)))
        (unless (re-search-forward (concat "^[ \t]*\\(" (km-get h 'field) "\\)[ \t]") nil t)
          (km-fail "field %s not found" (km-get h 'field)))
        (goto-char (match-beginning 1))
        (let* ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                       (eglot--TextDocumentPositionParams)))
               (text (plist-get (plist-get hover :contents) :value))
               (offset (and (string-match "offset:\\W*\\([0-9]+\\)" text)
                            (string-to-number (match-string 1 text))))
               (size (and (string-match "field size:\\W*\\([0-9]+\\)" text)
                          (string-to-number (match-string 1 text)))))
          (unless (and (eql offset (km-get h 'offset)) (eql size (km-get h 'size)))
            (km-fail "hover says offset %S size %S, want %S %S:\n%s"
                     offset size (km-get h 'offset) (km-get h 'size) text))
          (km-out "ok: hover %s offset %d size %d" (km-get h 'field) offset size)))
      (eglot-shutdown (eglot-current-server))
      (km-out "PASS")
      (kill-emacs 0))
  (error (km-fail "%S" err)))
