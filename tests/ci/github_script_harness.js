// Runs the script of an actions/github-script step the way the action does (an async
// function body given require, github, context and core), against an in-memory GitHub
// kept in a JSON state file, so a test can run a step twice and see what it changed.
//
// usage: node github_script_harness.js SCRIPT_FILE STATE_FILE   (cwd: the workspace)
'use strict';
const fs = require('fs');
const [scriptPath, statePath] = process.argv.slice(2);
const state = JSON.parse(fs.readFileSync(statePath, 'utf8'));
state.calls = [];
state.outputs = {};
state.failed = null;
state.logs = [];
state.summary = '';
for (const key of ['comments', 'issues', 'issueComments', 'pulls', 'runs']) state[key] ||= [];
state.artifacts ||= {};
state.nextId ||= 1000;

const bot = { type: 'Bot', login: 'github-actions[bot]' };
const url = (kind, id) => `https://github.com/${state.context.repo.owner}/${state.context.repo.repo}/${kind}/${id}`;
const api = (name, fn) => async (params) => {
  state.calls.push([name, params]);
  return { data: fn(params || {}) };
};
const notFound = (what) => {
  const error = new Error(`Not Found: ${what}`);
  error.status = 404;
  throw error;
};

const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: {
    issues: {
      listComments: api('issues.listComments', (p) => state.comments.filter((c) => c.issue_number === p.issue_number)),
      createComment: api('issues.createComment', (p) => {
        const comment = { id: state.nextId++, issue_number: p.issue_number, body: p.body, user: bot, html_url: url('comments', state.nextId) };
        (state.issues.some((i) => i.number === p.issue_number) ? state.issueComments : state.comments).push(comment);
        return comment;
      }),
      updateComment: api('issues.updateComment', (p) => {
        const comment = state.comments.find((c) => c.id === p.comment_id) || notFound(`comment ${p.comment_id}`);
        comment.body = p.body;
        return comment;
      }),
      listForRepo: api('issues.listForRepo', (p) => state.issues.filter((i) => i.state === p.state
        && (!p.labels || p.labels.split(',').every((l) => i.labels.includes(l))))),
      create: api('issues.create', (p) => {
        const issue = { number: state.nextId++, title: p.title, body: p.body, labels: p.labels || [], state: 'open', user: bot };
        issue.html_url = url('issues', issue.number);
        state.issues.push(issue);
        return issue;
      }),
      update: api('issues.update', (p) => {
        const issue = state.issues.find((i) => i.number === p.issue_number) || notFound(`issue ${p.issue_number}`);
        for (const key of ['body', 'state', 'state_reason', 'title']) if (key in p) issue[key] = p[key];
        return issue;
      }),
    },
    repos: {
      listPullRequestsAssociatedWithCommit: api('repos.listPullRequestsAssociatedWithCommit', (p) =>
        state.pulls.filter((pr) => pr.commits.includes(p.commit_sha))),
    },
    actions: {
      getWorkflow: api('actions.getWorkflow', (p) => ({ id: state.workflows[p.workflow_id] ?? notFound(p.workflow_id) })),
      getWorkflowRun: api('actions.getWorkflowRun', (p) => state.runs.find((r) => r.id === p.run_id) || notFound(`run ${p.run_id}`)),
      listWorkflowRuns: api('actions.listWorkflowRuns', (p) => ({
        workflow_runs: state.runs.filter((r) => r.workflow_id === state.workflows[p.workflow_id]
          && (!p.head_sha || r.head_sha === p.head_sha)
          && (!p.event || r.event === p.event)
          && (!p.status || r.conclusion === p.status)),
      })),
      listWorkflowRunArtifacts: api('actions.listWorkflowRunArtifacts', (p) => ({
        artifacts: (state.artifacts[p.run_id] || []).filter((a) => !p.name || a.name === p.name),
      })),
    },
  },
};

const core = {
  setOutput: (name, value) => { state.outputs[name] = String(value); },
  setFailed: (message) => { state.failed = String(message); },
  info: (message) => state.logs.push(['info', String(message)]),
  warning: (message) => state.logs.push(['warning', String(message)]),
  summary: {
    addRaw(text) { state.summary += text; return this; },
    async write() { return this; },
  },
};

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
(async () => {
  try {
    const step = new AsyncFunction('require', 'github', 'context', 'core', fs.readFileSync(scriptPath, 'utf8'));
    await step(require, github, state.context, core);
  } catch (error) {
    state.failed = `the script threw: ${error.stack}`;
  }
  fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
})();
