// Command ids, as contributed in package.json.
export const Commands = {
  generateConfiguration: 'mailtopo.generateConfiguration',
  showDiagram: 'mailtopo.showDiagram',
  rerunLiveChecks: 'mailtopo.rerunLiveChecks',
  toggleLiveChecks: 'mailtopo.toggleLiveChecks',
  showOutput: 'mailtopo.showOutput',
  restartServer: 'mailtopo.restartServer',
} as const;

// The targets, their files and next steps: one table in the generator, so the picker cannot disagree with it.
export { TARGET_INFO as GENERATE_TARGETS } from '../../server/src/core/generate/index';
