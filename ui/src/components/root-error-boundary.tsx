import { Component, type ReactNode } from 'react';

/** The last line of defence against a blank screen: a bug shows as a message with a way out. */
export class RootErrorBoundary extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="loading-screen">
        <div className="error-box" role="alert">
          <strong>The editor hit a problem it did not expect.</strong>
          <p className="error-text">{this.state.error.message}</p>
          <p>Your saved flows are safe on the server; unsaved changes are kept in this browser as a draft.</p>
          <button type="button" onClick={() => location.reload()}>
            Reload the editor
          </button>
        </div>
      </main>
    );
  }
}
